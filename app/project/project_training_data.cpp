#include "project_training_data.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "medsa/annotations/label_map_io.h"
#include "medsa/core/slice.h"
#include "medsa/core/slice_picture.h"
#include "medsa/core/window_level.h"
#include "medsa/io/image_reader.h"

namespace medsa::app {
namespace {

using annotations::CaseRecord;

/// The masks of one slice: one per label value present, with the label.
struct SliceMasks {
  std::vector<std::vector<std::uint8_t>> masks;
  std::vector<int> labels;
  std::size_t foreground = 0;
};

SliceMasks masksOf(const annotations::LabelSlice& slice) {
  std::map<std::uint16_t, std::size_t> index;
  SliceMasks out;
  for (std::size_t i = 0; i < slice.values.size(); ++i) {
    const std::uint16_t v = slice.values[i];
    if (!v) continue;
    auto it = index.find(v);
    if (it == index.end()) {
      it = index.emplace(v, out.masks.size()).first;
      out.masks.emplace_back(slice.values.size(), 0);
      out.labels.push_back(v);
    }
    out.masks[it->second][i] = 1;
    ++out.foreground;
  }
  return out;
}

bool nearIsotropic(const Image& image, double limit) {
  const auto& s = image.geometry.spacing;
  const double low = std::min({s[0], s[1], s[2]}), high = std::max({s[0], s[1], s[2]});
  return low > 0 && high / low <= limit;
}

/// Up to `count` of `indices`, spread evenly (first and last included).
std::vector<std::size_t> spread(const std::vector<std::size_t>& indices, int count) {
  if (static_cast<int>(indices.size()) <= count || count < 2) return indices;
  std::vector<std::size_t> kept;
  for (int i = 0; i < count; ++i)
    kept.push_back(indices[static_cast<std::size_t>(
        std::lround(double(i) * (indices.size() - 1) / (count - 1)))]);
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  return kept;
}

}  // namespace

Json ProjectTrainingData::summary() const {
  std::size_t trainObjects = 0, heldOutObjects = 0;
  for (const LabeledPicture& p : train) trainObjects += p.masks.size();
  for (const LabeledPicture& p : heldOut) heldOutObjects += p.masks.size();
  return Json(Json::Object{{"train_cases", trainCases},
                           {"heldout_cases", heldOutCases},
                           {"train_pictures", train.size()},
                           {"train_objects", trainObjects},
                           {"heldout_pictures", heldOut.size()},
                           {"heldout_objects", heldOutObjects}});
}

Status assignHeldOutSplit(annotations::ProjectStore& store, const TrainingDataOptions& options) {
  Result<std::vector<CaseRecord>> cases = store.cases();
  if (!cases) return cases.error();
  // Strata: pictures and volumes of each modality are split on their own.
  std::map<QString, std::vector<const CaseRecord*>> strata;
  for (const CaseRecord& c : cases.value())
    if (annotations::isLabelled(c.status) && c.latest)
      strata[(c.picture ? QStringLiteral("picture/") : QStringLiteral("volume/")) + c.modality]
          .push_back(&c);
  std::vector<std::pair<qint64, QString>> assigned;
  int heldOutTotal = 0, total = 0;
  for (auto& [stratum, members] : strata) {
    int heldOut = 0, counted = 0;
    for (const CaseRecord* c : members) {
      if (c->split.isEmpty()) continue;
      ++counted;
      heldOut += c->split == QStringLiteral("heldout") ? 1 : 0;
    }
    // New members in a fixed order (their content hash), each going where the share asks.
    std::vector<const CaseRecord*> fresh;
    for (const CaseRecord* c : members)
      if (c->split.isEmpty()) fresh.push_back(c);
    std::sort(fresh.begin(), fresh.end(), [](const CaseRecord* a, const CaseRecord* b) {
      return a->contentHash < b->contentHash;
    });
    for (const CaseRecord* c : fresh) {
      const bool holdOut = counted > 0 && heldOut < options.heldOutFraction * (counted + 1);
      assigned.emplace_back(c->id, holdOut ? QStringLiteral("heldout") : QStringLiteral("train"));
      heldOut += holdOut ? 1 : 0;
      ++counted;
    }
    heldOutTotal += heldOut;
    total += counted;
  }
  // At least one held-out case once there are two: a version must be measured on something.
  if (heldOutTotal == 0 && total >= 2) {
    for (auto& [id, split] : assigned) {
      split = QStringLiteral("heldout");
      break;
    }
  }
  return assigned.empty() ? Status() : store.assignSplits(assigned);
}

Result<ProjectTrainingData> loadTrainingData(annotations::ProjectStore& store,
                                             const TrainingDataOptions& options,
                                             ProgressSink* progress, CancellationToken cancel) {
  if (Status split = assignHeldOutSplit(store, options); !split) return split.error();
  Result<std::vector<CaseRecord>> cases = store.cases();
  if (!cases) return cases.error();
  ProjectTrainingData data;
  std::vector<const CaseRecord*> accepted;
  for (const CaseRecord& c : cases.value())
    if (annotations::isLabelled(c.status) && c.latest && !c.split.isEmpty()) accepted.push_back(&c);
  for (std::size_t n = 0; n < accepted.size(); ++n) {
    const CaseRecord& c = *accepted[n];
    if (cancel.isCancelled() ||
        (progress && !progress->report(double(n) / accepted.size(), "Reading the cases")))
      return Error{ErrorCode::Cancelled, "cancelled", store.folder().toStdString()};
    io::ReadOptions read;
    read.series = c.series.toStdString();
    Result<Image> image = io::readImage(c.imagePath.toStdString(), read);
    if (!image) return image.error();
    if (image->size(3) > 1) {
      Result<Image> first = extractVolume(image.value(), 0);
      if (!first) return first.error();
      image = std::move(first).value();
    }
    Result<QString> file = store.labelFile(*c.latest);  // a team's: from the database
    if (!file) return file.error();
    Result<annotations::LoadedLabelMap> labels =
        annotations::loadLabelMap(file.value(), image.value());
    if (!labels) return labels.error();
    const bool heldOut = c.split == QStringLiteral("heldout");
    (heldOut ? data.heldOutCases : data.trainCases) += 1;
    const WindowLevel window = defaultWindow(image.value());
    std::vector<SliceAxis> axes{acquisitionAxis(image.value())};
    if (!heldOut && image->size(2) > 1 && nearIsotropic(image.value(), options.isotropy))
      for (SliceAxis a : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal})
        if (a != axes.front()) axes.push_back(a);
    for (SliceAxis axis : axes) {
      const std::size_t count = sliceCount(image.value(), axis);
      // Which slices hold labels, and the largest slice of each label (held-out cases).
      std::vector<std::size_t> labelled;
      std::map<int, std::pair<std::size_t, std::size_t>> largest;  // label -> (area, slice)
      for (std::size_t s = 0; s < count; ++s) {
        Result<annotations::LabelSlice> slice = labels->map.slice(axis, s);
        if (!slice) return slice.error();
        const SliceMasks masks = masksOf(slice.value());
        if (masks.masks.empty()) continue;
        labelled.push_back(s);
        for (std::size_t m = 0; m < masks.masks.size(); ++m) {
          const auto area =
              static_cast<std::size_t>(std::count(masks.masks[m].begin(), masks.masks[m].end(), 1));
          auto& best = largest[masks.labels[m]];
          if (area > best.first) best = {area, s};
        }
      }
      std::vector<std::size_t> chosen;
      if (heldOut) {
        for (const auto& [label, best] : largest) chosen.push_back(best.second);
        std::sort(chosen.begin(), chosen.end());
        chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
      } else {
        chosen = spread(labelled, options.maxSlicesPerAxis);
      }
      for (std::size_t s : chosen) {
        Result<annotations::LabelSlice> slice = labels->map.slice(axis, s);
        Result<RgbImage> picture = slicePicture(image.value(), axis, s, window);
        if (!slice || !picture) return Error{ErrorCode::Internal, "cannot cut a slice", {}};
        SliceMasks masks = masksOf(slice.value());
        LabeledPicture p;
        p.image = std::move(picture).value();
        p.masks = std::move(masks.masks);
        p.labels = std::move(masks.labels);
        p.id =
            c.name.toStdString() + ":" + std::string(sliceAxisName(axis)) + ":" + std::to_string(s);
        if (heldOut) {
          data.heldOut.push_back(std::move(p));
        } else {
          data.weights.push_back(std::sqrt(static_cast<double>(masks.foreground)));
          data.train.push_back(std::move(p));
        }
      }
    }
  }
  if (progress) progress->report(1.0, "Reading the cases");
  return data;
}

}  // namespace medsa::app
