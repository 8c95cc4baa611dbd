#include "medsa/ui/error_text.h"

#include <QCoreApplication>

namespace medsa::ui {
QString errorSummary(const Error& error) {
  switch (error.code) {
    case ErrorCode::InvalidArgument:
      return QCoreApplication::translate("medsa::ui::ErrorText", "This does not fit what is open.");
    case ErrorCode::FileNotFound:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "The file or folder does not exist.");
    case ErrorCode::ReadFailed:
      return QCoreApplication::translate("medsa::ui::ErrorText", "The file cannot be read.");
    case ErrorCode::WriteFailed:
      return QCoreApplication::translate("medsa::ui::ErrorText", "The file cannot be written.");
    case ErrorCode::NotAnImage:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "This is not an image Med-SA Studio can open.");
    case ErrorCode::UnsupportedFormat:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "This kind of image is not supported.");
    case ErrorCode::Truncated:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "The file is incomplete: it ends too early.");
    case ErrorCode::CorruptData:
      return QCoreApplication::translate("medsa::ui::ErrorText", "The file is damaged.");
    case ErrorCode::InconsistentSeries:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "The DICOM images do not form one volume.");
    case ErrorCode::CheckpointInvalid:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "The model file does not hold the expected weights.");
    case ErrorCode::Unavailable:
      return QCoreApplication::translate("medsa::ui::ErrorText", "This is not available here.");
    case ErrorCode::Cancelled:
      return QCoreApplication::translate("medsa::ui::ErrorText", "Cancelled.");
    case ErrorCode::Conflict:
      return QCoreApplication::translate("medsa::ui::ErrorText",
                                         "Someone else is working on this case.");
    case ErrorCode::Internal:
      break;
  }
  return QCoreApplication::translate("medsa::ui::ErrorText",
                                     "Something went wrong inside Med-SA Studio.");
}

QString errorText(const Error& error, const QString& advice) {
  QString text = errorSummary(error);
  if (!error.message.empty())
    text +=
        QStringLiteral("\n\n") + QCoreApplication::translate("medsa::ui::ErrorText", "Details: %1")
                                     .arg(QString::fromStdString(error.message));
  if (!error.path.empty())
    text += QStringLiteral("\n") + QCoreApplication::translate("medsa::ui::ErrorText", "File: %1")
                                       .arg(QString::fromStdString(error.path));
  if (!advice.isEmpty()) text += QStringLiteral("\n\n") + advice;
  return text;
}

}  // namespace medsa::ui
