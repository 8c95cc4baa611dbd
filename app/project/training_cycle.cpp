#include "training_cycle.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>

#include "medsa/core/sha256.h"
#include "medsa/model/model_evaluation.h"

namespace medsa::app {
namespace {

using annotations::AdapterVersion;

QJsonObject toQt(const Json& json) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object();
}

// A part [begin, end] of the cycle's progress, as a sink for the work that reports it.
class PartSink : public ProgressSink {
 public:
  PartSink(ProgressSink* parent, double begin, double end) : scope_(parent, begin, end) {}
  bool report(double fraction, std::string_view stage) override {
    return scope_.update(fraction, stage);
  }

 private:
  ProgressScope scope_;
};

Result<InteractiveEvaluation> evaluate(const std::shared_ptr<model::SamModel>& model,
                                       const std::vector<LabeledPicture>& heldOut,
                                       ProgressSink* progress, double begin, double end) {
  PartSink part(progress, begin, end);
  return model::evaluateModel(model, heldOut, {}, &part);
}

}  // namespace

Json TrainingCycleResult::toJson() const {
  Json::Object out{
      {"data", data},          {"training", training.toJson()},   {"live_version", liveVersion},
      {"live", live.toJson()}, {"candidate", candidate.toJson()}, {"decision", decision.toJson()},
      {"promoted", promoted}};
  if (version) {
    out["version"] = version->version;
    out["adapter"] = version->path.toStdString();
    out["state"] = version->state.toStdString();
  } else {
    out["version"] = nullptr;
  }
  return out;
}

Result<LiveModel> liveModel(annotations::ProjectStore& store,
                            const std::shared_ptr<model::SamModel>& base) {
  Result<std::vector<AdapterVersion>> versions = store.adapterVersions();
  if (!versions.ok()) return versions.error();
  LiveModel live{base, 0, {}};
  for (const AdapterVersion& v : versions.value()) {
    if (v.state != QStringLiteral("live")) continue;
    Result<std::shared_ptr<model::SamModel>> with = base->withAdapterFile(v.path.toStdString());
    if (with.ok()) {
      live = {with.value(), v.version, {}};
    } else {
      live.note =
          "adapter v" + std::to_string(v.version) + " is not used: " + with.error().describe();
    }
  }
  return live;
}

Result<TrainingCycleResult> runTrainingCycle(annotations::ProjectStore& store,
                                             const std::shared_ptr<model::SamModel>& base,
                                             const TrainingCycleOptions& options,
                                             model::TrainingMonitor* monitor,
                                             ProgressSink* progress) {
  TrainingCycleResult result;
  Result<ProjectTrainingData> data = [&] {
    PartSink part(progress, 0, 0.05);
    return loadTrainingData(store, options.data, &part);
  }();
  if (!data.ok()) return data.error();
  result.data = data->summary();
  if (data->train.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 "no labelled training cases yet: mark cases done or reviewed first",
                 store.folder().toStdString()};
  }
  if (data->heldOut.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 "no held-out case to judge a new adapter on: at least two labelled cases are "
                 "needed",
                 store.folder().toStdString()};
  }

  Result<LiveModel> live = liveModel(store, base);
  if (!live.ok()) return live.error();
  if (monitor && !live->note.empty()) monitor->note(live->note);
  result.liveVersion = live->version;
  Result<InteractiveEvaluation> before = evaluate(live->model, data->heldOut, progress, 0.05, 0.15);
  if (!before.ok()) return before.error();
  result.live = before.value();

  const QDir adapters(QDir(store.folder()).filePath(QStringLiteral("adapters")));
  if (!QDir().mkpath(adapters.path())) {
    return Error{ErrorCode::WriteFailed, "cannot create the adapters folder",
                 adapters.path().toStdString()};
  }
  model::AdapterTrainingOptions training = options.training;
  if (training.statePath.empty())
    training.statePath = adapters.filePath(QStringLiteral("training.state")).toStdString();
  if (training.embeddingFolder.empty())  // where the annotator's engine keeps them too
    training.embeddingFolder =
        QDir(store.folder()).filePath(QStringLiteral("embeddings")).toStdString();
  auto run = model::AdapterTrainingRun::create(base, std::move(data->train),
                                               std::move(data->weights), training);
  if (!run.ok()) return run.error();
  Result<model::AdapterTrainingResult> trained = run.value()->run(monitor);
  if (!trained.ok()) return trained.error();
  result.training = trained.value();
  if (trained->stopped) return result;  // its state stays; the next cycle resumes

  Result<InteractiveEvaluation> after =
      evaluate(run.value()->model(), data->heldOut, progress, 0.85, 1.0);
  if (!after.ok()) return after.error();
  result.candidate = after.value();
  result.decision = decidePromotion(result.live, result.candidate, options.rule);

  // The file first, under the number it will get; then its record; then, if better, live.
  Result<std::vector<AdapterVersion>> versions = store.adapterVersions();
  if (!versions.ok()) return versions.error();
  int next = 1;
  for (const AdapterVersion& v : versions.value()) next = std::max(next, v.version + 1);
  const QString path = adapters.filePath(QStringLiteral("adapter-v%1.safetensors").arg(next));
  const Json metrics = Json::Object{{"live_version", result.liveVersion},
                                    {"live", result.live.toJson()},
                                    {"candidate", result.candidate.toJson()},
                                    {"decision", result.decision.toJson()}};
  if (Status written = run.value()->exportAdapters(
          path.toStdString(), Json::Object{{"data", result.data}, {"metrics", metrics}});
      !written) {
    return written.error();
  }
  Result<std::string> fileSha = sha256File(path.toStdString());
  if (!fileSha.ok()) return fileSha.error();
  Result<std::string> baseSha = base->baseSha256();
  if (!baseSha.ok()) return baseSha.error();
  AdapterVersion version;
  version.path = path;
  version.sha256 = QString::fromStdString(fileSha.value());
  version.baseModel = QString::fromStdString(baseSha.value());
  version.state =
      result.decision.promote ? QStringLiteral("candidate") : QStringLiteral("rejected");
  version.metrics = toQt(metrics);
  Json::Object summary = result.data.asObject();
  summary["training"] = result.training.toJson();
  version.dataSummary = toQt(summary);
  Result<AdapterVersion> recorded = store.addAdapterVersion(version);
  if (!recorded.ok()) return recorded.error();
  result.version = recorded.value();
  if (Status discarded = run.value()->discardState(); !discarded && monitor)
    monitor->note(discarded.error().describe());
  if (result.decision.promote && options.promote) {
    if (Status made = store.setLiveAdapter(recorded->version); !made) return made.error();
    result.version->state = QStringLiteral("live");
    result.promoted = true;
  }
  return result;
}

}  // namespace medsa::app
