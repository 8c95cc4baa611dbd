#pragma once
// Procedurally generated pictures with outlined objects: the data the starter model is trained
// on (no patient data, no licences) and the shifted held-out sets that measure it. Everything is
// a function of (seed, index, options), so a set is named by its seed and mix.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "medsa/core/labeled_picture.h"

namespace medsa {

enum class ShapeKind {
  Ellipse,
  Blob,      ///< smooth star-shaped outline (a few harmonics)
  Polygon,   ///< 3-9 corners, possibly concave
  Tube,      ///< a curved band of varying width (vessels, ducts)
  Ring,      ///< a band around a hole that shows what is behind
  Nested,    ///< an object inside another: two objects, the outer one without the inner
  Touching,  ///< two objects sharing a boundary
};
inline constexpr int kShapeKinds = 7;

enum class SceneStyle {
  Generic,     ///< random colours and textures
  Ct,          ///< grey, air around a body, Gaussian noise
  Mr,          ///< grey, bias field, Rician noise
  Ultrasound,  ///< grey sector, speckle
  Fundus,      ///< colour, round field of view, vessels
  Dermoscopy,  ///< colour, skin texture, hairs, dark corners
};
inline constexpr int kSceneStyles = 6;

std::string_view shapeKindName(ShapeKind kind);
std::string_view sceneStyleName(SceneStyle style);

/// What a set of pictures is made of. A held-out set uses another mix (and seed) than training.
struct SceneMix {
  std::array<double, kShapeKinds> shapes{};   ///< relative weight of each ShapeKind
  std::array<double, kSceneStyles> styles{};  ///< relative weight of each SceneStyle
  int minShapes = 1, maxShapes = 4;  ///< shapes per picture (Nested / Touching make two objects)
  double minRadius = 0.07, maxRadius = 0.28;  ///< object radius / shorter picture side
  double nonSquare = 0.25;                    ///< probability of a non-square picture
  double distractors = 0.5;                   ///< probability of unlabelled background structures

  /// Every shape and style, blobs and ellipses most often.
  static SceneMix training();
  /// The training mix with the shapes that take the most clicks (tubes, rings, nested and
  /// touching objects) about twice as often and ellipses and blobs less: for runs that work on
  /// NoC.
  static SceneMix hardShapes();
  /// "training" or "hard" (the names `medsa pretrain --mix` takes); nullopt for another name.
  static std::optional<SceneMix> named(std::string_view name);
  /// Another mix: more polygons, tubes, rings, nested and touching objects, fewer objects per
  /// picture, other proportions of styles.
  static SceneMix heldOut();
};

struct SceneOptions {
  int size = 256;  ///< the longer side of every picture, pixels
  SceneMix mix = SceneMix::training();
};

struct SyntheticScene {
  LabeledPicture picture;  ///< one mask per visible labelled object
  SceneStyle style = SceneStyle::Generic;
  std::vector<ShapeKind> kinds;  ///< the shape each mask came from
};

/// The seed of the fixed held-out set that measures pre-training (`medsa pretrain` at the end,
/// `medsa evaluate --synthetic`): SceneMix::heldOut(), 256-pixel pictures, never trained on.
inline constexpr std::uint64_t kSyntheticHeldOutSeed = 9176;

/// The picture number `index` of the set named by `seed`: the same on every machine.
SyntheticScene generateScene(std::uint64_t seed, std::uint64_t index, const SceneOptions& options);

/// Pictures first..first+count-1 of a set, as LabeledPictures (ids "synthetic-<seed>-<index>").
std::vector<LabeledPicture> generateSceneSet(std::uint64_t seed, std::uint64_t first, int count,
                                             const SceneOptions& options);

}  // namespace medsa
