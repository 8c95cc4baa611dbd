// writeFileAtomically and the file replacement of image writers: what is on disk after success
// and after every kind of failure, which files and folders are flushed (fsync, recorded by
// fsync_recorder.h), and error messages that name the folder and the real cause.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fstream>
#include <string>

#include "fsync_recorder.h"
#include "medsa/core/atomic_file.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace medsa;
using medsa::test::fsyncRecorder;

namespace {

std::string contentOf(const std::string& path) {
  Result<std::string> bytes = readWholeFile(path);
  return bytes ? bytes.value() : std::string("<unreadable>");
}

/// Every entry of a folder, hidden ones included.
QStringList entriesOf(const QString& folder) {
  return QDir(folder).entryList(
      QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

QByteArray describe(const Status& status) {
  return status ? QByteArray("ok") : QByteArray::fromStdString(status.error().describe());
}

std::string canonical(const QString& path) {
  return QFileInfo(path).canonicalFilePath().toStdString();
}

}  // namespace

class TestAtomicFile : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    fsyncRecorder().reset();
    QVERIFY(dir_.isValid());
    for (const QString& entry : entriesOf(dir_.path())) {
      QFileInfo info(dir_.filePath(entry));
      if (info.isDir() && !info.isSymLink()) {
        QVERIFY(QDir(info.filePath()).removeRecursively());
      } else {
        QVERIFY(QFile::remove(info.filePath()));
      }
    }
  }
  void cleanup() { fsyncRecorder().reset(); }

  void writesAndReplacesLeavingNoTemporaryFile() {
    const std::string path = file("labels.json");
    QVERIFY(writeFileAtomically(path, "first"));
    QCOMPARE(contentOf(path), std::string("first"));
    QVERIFY(writeFileAtomically(path, "second, longer"));
    QCOMPARE(contentOf(path), std::string("second, longer"));
    QVERIFY(writeFileAtomically(path, ""));
    QCOMPARE(contentOf(path), std::string());
    QCOMPARE(entriesOf(dir_.path()), QStringList{QStringLiteral("labels.json")});
  }

  void flushesTheFileThenTheFolderAfterTheRename() {
    const std::string path = file("labels.json");
    QVERIFY(writeFileAtomically(path, "old"));
    fsyncRecorder().reset();
    std::string contentWhenFolderFlushed;
    fsyncRecorder().onCall = [&](const test::FsyncCall& call) {
      if (call.folder) contentWhenFolderFlushed = contentOf(path);
    };
    QVERIFY(writeFileAtomically(path, "new"));
    const std::vector<test::FsyncCall> calls = fsyncRecorder().calls;
    QCOMPARE(calls.size(), std::size_t(2));
    // First the temporary file's content, beside the target; then the folder, after the rename.
    QVERIFY(!calls[0].folder);
    QVERIFY2(calls[0].path.rfind(canonical(dir_.path()) + "/.labels.json.tmp-", 0) == 0,
             calls[0].path.c_str());
    QVERIFY(calls[1].folder);
    QCOMPARE(calls[1].path, canonical(dir_.path()));
    QCOMPARE(contentWhenFolderFlushed, std::string("new"));
  }

  void aFailedFolderFlushIsReported() {
    const std::string path = file("labels.json");
    fsyncRecorder().failFoldersWith = EIO;
    const Status status = writeFileAtomically(path, "new");
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::WriteFailed);
    QCOMPARE(status.error().path, path);
    QCOMPARE(status.error().message, "the file was replaced, but flushing its folder " +
                                         dir_.path().toStdString() +
                                         " to disk failed: input/output error");
  }

  void foldersThatCannotBeFlushedAtAllAreAccepted() {
    // Network and FUSE file systems answer EINVAL: there is nothing more a program can do.
    fsyncRecorder().failFoldersWith = EINVAL;
    const std::string path = file("labels.json");
    const Status status = writeFileAtomically(path, "new");
    QVERIFY2(status, describe(status));
    QCOMPARE(contentOf(path), std::string("new"));
  }

  void aFailedFileFlushKeepsTheOldFile() {
    const std::string path = file("labels.json");
    QVERIFY(writeFileAtomically(path, "old"));
    fsyncRecorder().failFilesWith = EIO;
    const Status status = writeFileAtomically(path, "new");
    QVERIFY(!status);
    QCOMPARE(status.error().message, std::string("flush to disk failed: input/output error"));
    QCOMPARE(status.error().path, path);
    QCOMPARE(contentOf(path), std::string("old"));
    QCOMPARE(entriesOf(dir_.path()), QStringList{QStringLiteral("labels.json")});
  }

  void aFullDiskKeepsTheOldFile() {
    // A file size limit makes the kernel refuse the write as a full disk would (EFBIG, not
    // ENOSPC), for root too; the signal it also sends is ignored, as the error is what we test.
    const std::string path = file("labels.json");
    QVERIFY(writeFileAtomically(path, "old"));
    rlimit saved{};
    QVERIFY(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 1000;
    QVERIFY(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const Status status = writeFileAtomically(path, std::string(5000, 'x'));
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::WriteFailed);
    QCOMPARE(status.error().message, std::string("write failed: file too large"));
    QCOMPARE(contentOf(path), std::string("old"));
    QCOMPARE(entriesOf(dir_.path()), QStringList{QStringLiteral("labels.json")});
  }

  void aFolderWithoutWritePermissionIsNamedWithTheCause() {
    int checked = 0;
    if (::geteuid() != 0) {  // root ignores permission bits
      const QString locked = dir_.filePath(QStringLiteral("locked"));
      QVERIFY(QDir().mkdir(locked));
      QVERIFY(::chmod(locked.toLocal8Bit().constData(), 0555) == 0);
      const Status status = writeFileAtomically(locked.toStdString() + "/labels.json", "x");
      ::chmod(locked.toLocal8Bit().constData(), 0755);
      QVERIFY(!status);
      QCOMPARE(status.error().message,
               "cannot write in folder " + locked.toStdString() + ": permission denied");
      ++checked;
    }
    // sysfs refuses new files to everyone, root included.
    if (QFileInfo(QStringLiteral("/sys/kernel")).isDir()) {
      const Status status = writeFileAtomically("/sys/kernel/medsa-test.json", "x");
      QVERIFY(!status);
      QCOMPARE(status.error().code, ErrorCode::WriteFailed);
      QCOMPARE(status.error().path, std::string("/sys/kernel/medsa-test.json"));
      QCOMPARE(status.error().message,
               std::string("cannot write in folder /sys/kernel: permission denied"));
      ++checked;
    }
    if (checked == 0) QSKIP("running as root without /sys: no folder refuses root here");
  }

  void aReadOnlyFileSystemIsNamedAsTheCause() {
    // A read-only tmpfs mounted in a private mount namespace of a child process (which needs
    // root or unprivileged user namespaces; skipped where neither is allowed).
    const std::string folder = dir_.path().toStdString();
    int channel[2];
    QVERIFY(::pipe(channel) == 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      ::close(channel[0]);
      std::string answer;
      if (::unshare(CLONE_NEWNS) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        answer = "SKIP no mount namespace";
      } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
                 ::mount("medsa-test", folder.c_str(), "tmpfs", MS_RDONLY, "size=64k") != 0) {
        answer = "SKIP cannot mount a read-only tmpfs";
      } else {
        const Status status = writeFileAtomically(folder + "/labels.json", "x");
        answer = status ? std::string("ok") : status.error().message;
      }
      [[maybe_unused]] const ssize_t n = ::write(channel[1], answer.data(), answer.size());
      ::_exit(0);
    }
    ::close(channel[1]);
    std::string answer;
    char buffer[512];
    for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
    ::close(channel[0]);
    int childStatus = 0;
    ::waitpid(child, &childStatus, 0);
    if (answer.rfind("SKIP", 0) == 0) QSKIP(answer.c_str());
    QCOMPARE(answer, "cannot write in folder " + folder + ": read-only file system");
  }

  void aMissingFolderOrAFileAsFolderIsNamed() {
    Status status = writeFileAtomically(file("missing") + "/labels.json", "x");
    QVERIFY(!status);
    QCOMPARE(status.error().message,
             "cannot write in folder " + file("missing") + ": the folder does not exist");
    QVERIFY(writeFileAtomically(file("plain"), "x"));
    status = writeFileAtomically(file("plain") + "/labels.json", "x");
    QVERIFY(!status);
    QCOMPARE(status.error().message,
             "cannot write in folder " + file("plain") + ": it is not a folder");
    // A device where a folder should be: no file can live under /dev/full.
    status = writeFileAtomically("/dev/full/labels.json", "x");
    QVERIFY(!status);
    QCOMPARE(status.error().message,
             std::string("cannot write in folder /dev/full: it is not a folder"));
  }

  void whatIsNotARegularFileIsNeverReplaced() {
    // Renaming over a device such as /dev/full would replace the device itself, and over a pipe
    // the pipe: both are refused before anything is written.
    const std::string pipe = file("pipe");
    QVERIFY(::mkfifo(pipe.c_str(), 0644) == 0);
    Status status = writeFileAtomically(pipe, "x");
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(
        status.error().message,
        std::string("not a regular file (a device, a folder or a pipe): refusing to replace it"));
    struct stat info {};
    QVERIFY(::lstat(pipe.c_str(), &info) == 0 && S_ISFIFO(info.st_mode));
    QVERIFY(QDir().mkdir(dir_.filePath(QStringLiteral("folder"))));
    QVERIFY(!writeFileAtomically(file("folder"), "x"));
    QVERIFY(QFileInfo(dir_.filePath(QStringLiteral("folder"))).isDir());
    QCOMPARE(entriesOf(dir_.path()),
             (QStringList{QStringLiteral("folder"), QStringLiteral("pipe")}));
  }

  void writingThroughASymbolicLinkReplacesItsTarget() {
    QVERIFY(QDir().mkdir(dir_.filePath(QStringLiteral("shared"))));
    const std::string real = file("shared/labels.json");
    QVERIFY(writeFileAtomically(real, "old"));
    QVERIFY(::symlink("shared/labels.json", file("link.json").c_str()) == 0);
    QVERIFY(::symlink("link.json", file("link2.json").c_str()) == 0);
    QVERIFY(writeFileAtomically(file("link2.json"), "new"));
    QCOMPARE(contentOf(real), std::string("new"));
    QVERIFY(QFileInfo(dir_.filePath(QStringLiteral("link.json"))).isSymLink());
    QVERIFY(QFileInfo(dir_.filePath(QStringLiteral("link2.json"))).isSymLink());
    QCOMPARE(entriesOf(dir_.filePath(QStringLiteral("shared"))),
             QStringList{QStringLiteral("labels.json")});
    // A link to a file not yet written creates that file.
    QVERIFY(::symlink("shared/later.json", file("dangling.json").c_str()) == 0);
    QVERIFY(writeFileAtomically(file("dangling.json"), "later"));
    QCOMPARE(contentOf(file("shared/later.json")), std::string("later"));
  }

  void theReplacedFileKeepsItsPermissions() {
    const std::string path = file("private.json");
    QVERIFY(writeFileAtomically(path, "old"));
    QVERIFY(::chmod(path.c_str(), 0600) == 0);
    QVERIFY(writeFileAtomically(path, "new"));
    struct stat info {};
    QVERIFY(::stat(path.c_str(), &info) == 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
  }

  void aNameOfTheLongestLengthStillFits() {
    const std::string name(255, 'n');
    const Status status = writeFileAtomically(file(name), "x");
    QVERIFY2(status, describe(status));
    QCOMPARE(contentOf(file(name)), std::string("x"));
    QCOMPARE(entriesOf(dir_.path()), QStringList{QString::fromStdString(name)});
  }

  void aLeftTemporaryNamesTheFileItWouldHaveReplaced() {
    // What a killed writer leaves behind is recognised from its name alone.
    for (const std::string suffix : {std::string(), std::string(".nii.gz")}) {
      const std::string target = "mask" + (suffix.empty() ? std::string(".json") : suffix);
      Result<FileReplacement> replacement = beginFileReplacement(file(target), suffix);
      QVERIFY(replacement);
      const std::string name =
          QFileInfo(QString::fromStdString(replacement->temporary)).fileName().toStdString();
      QCOMPARE(replacedNameOf(name, suffix), std::optional<std::string>(target));
      abandonFileReplacement(replacement.value());
    }
    // Names that are not such temporaries: not hidden, no tag, a malformed tag, another suffix.
    for (const char* name :
         {"mask.json.tmp-12-0000beef", ".mask.json", ".mask.json.tmp-1-2",
          ".mask.json.tmp-x-0000beef", ".tmp-12-0000beef", ".mask.tmp-12-0000beef.nii.gz.bak"}) {
      QVERIFY2(!replacedNameOf(name, ".nii.gz") && !replacedNameOf(name), name);
    }
  }

  void writersThatWriteTheFileThemselvesGetTheSameGuarantees() {
    const std::string path = file("mask.nii.gz");
    Result<FileReplacement> replacement = beginFileReplacement(path, ".nii.gz");
    QVERIFY(replacement);
    QCOMPARE(replacement->target, path);
    const QFileInfo temporary(QString::fromStdString(replacement->temporary));
    QCOMPARE(temporary.absolutePath(), dir_.path());
    QVERIFY(temporary.fileName().startsWith(QStringLiteral(".mask.tmp-")));
    QVERIFY(temporary.fileName().endsWith(QStringLiteral(".nii.gz")));  // writers pick by it
    std::ofstream(replacement->temporary, std::ios::binary) << "volume";
    fsyncRecorder().reset();
    QVERIFY(finishFileReplacement(replacement.value()));
    QCOMPARE(contentOf(path), std::string("volume"));
    QCOMPARE(fsyncRecorder().calls.size(), std::size_t(2));
    QVERIFY(!fsyncRecorder().calls[0].folder);
    QVERIFY(fsyncRecorder().calls[1].folder);

    Result<FileReplacement> failed = beginFileReplacement(path, ".nii.gz");
    QVERIFY(failed);
    abandonFileReplacement(failed.value());
    QCOMPARE(entriesOf(dir_.path()), QStringList{QStringLiteral("mask.nii.gz")});
    QCOMPARE(contentOf(path), std::string("volume"));
  }

 private:
  std::string file(const std::string& name) const { return dir_.path().toStdString() + "/" + name; }

  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
