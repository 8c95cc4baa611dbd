#pragma once
// The project thread's side of ProjectController (private to the ui library): the object that
// owns the store there, and how a job is sent to it and its result brought back.

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

#include "medsa/annotations/project_store.h"
#include "medsa/ui/project_controller.h"

namespace medsa::ui {

/// Owns the project's database connection on the project thread; every method runs there.
class ProjectWorker : public QObject {
 public:
  std::unique_ptr<annotations::ProjectStore> store;
};

inline Error noProject() { return Error{ErrorCode::Unavailable, "no project is open", {}}; }

template <typename T>
void ProjectController::post(std::function<T(annotations::ProjectStore&)> job,
                             std::function<void(T)> done) {
  QPointer<ProjectController> self(this);
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, self, job = std::move(job), done = std::move(done)] {
        T result = worker->store ? job(*worker->store) : T(noProject());
        QMetaObject::invokeMethod(
            self.data(),
            [self, done, result = std::move(result)] {
              if (self && done) done(result);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

}  // namespace medsa::ui
