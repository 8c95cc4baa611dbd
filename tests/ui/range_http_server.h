#pragma once
// A tiny HTTP/1.1 file server on 127.0.0.1 for download tests: it honours "Range: bytes=N-" and
// If-Range (ETag), and can be told to answer an error status, to cut the connection after some
// bytes, to stall after some bytes, or to ignore ranges. It runs on its own thread, so a test
// may block on a child process (the CLI) while the server answers it.

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QSemaphore>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace medsa::test {

class RangeHttpServer : public QThread {
 public:
  struct Request {
    QByteArray method, path, range, ifRange;
  };

  explicit RangeHttpServer(QByteArray body, QByteArray path = "/model.pth")
      : body_(std::move(body)), path_(std::move(path)) {}
  ~RangeHttpServer() override {
    quit();
    wait();
  }

  /// Starts listening on a free port of 127.0.0.1; false if it cannot.
  bool begin() {
    start();
    ready_.acquire();
    return port_ != 0;
  }
  QString url() const {
    return QStringLiteral("http://127.0.0.1:%1%2").arg(port_).arg(QString::fromLatin1(path_));
  }

  /// Every later request gets this status (0: serve the file).
  void setStatus(int status) {
    locked([&] { status_ = status; });
  }
  /// The next `times` responses close the connection after `bytes` bytes of the body.
  void cutAfter(qint64 bytes, int times = 1) {
    locked([&] {
      cutAfter_ = bytes;
      cuts_ = times;
    });
  }
  /// The next response sends `bytes` bytes of the body, then nothing more (connection open).
  void holdAfter(qint64 bytes) {
    locked([&] { holdAfter_ = bytes; });
  }
  void setHonourRange(bool on) {
    locked([&] { honourRange_ = on; });
  }
  /// The file changes (a new ETag): If-Range from an older download must fail.
  void setBody(QByteArray body, QByteArray etag) {
    locked([&] {
      body_ = std::move(body);
      etag_ = std::move(etag);
    });
  }
  QList<Request> requests() const {
    QMutexLocker lock(&mutex_);
    return requests_;
  }

 protected:
  void run() override {
    QTcpServer server;
    if (server.listen(QHostAddress::LocalHost, 0)) port_ = server.serverPort();
    QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
      while (QTcpSocket* socket = server.nextPendingConnection()) {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket,
                         [this, socket] { onReadyRead(socket); });
      }
    });
    ready_.release();
    exec();
  }

 private:
  template <typename F>
  void locked(F f) {
    QMutexLocker lock(&mutex_);
    f();
  }

  void onReadyRead(QTcpSocket* socket) {
    QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
      socket->setProperty("buffer", buffer);
      return;
    }
    socket->setProperty("buffer", QByteArray());
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    Request request;
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request.method = first.value(0);
    request.path = first.value(1);
    for (const QByteArray& line : lines.mid(1)) {
      const int colon = line.indexOf(':');
      const QByteArray name = line.left(colon).trimmed().toLower();
      const QByteArray value = line.mid(colon + 1).trimmed();
      if (name == "range") request.range = value;
      if (name == "if-range") request.ifRange = value;
    }
    QMutexLocker lock(&mutex_);
    requests_.append(request);
    respond(socket, request);
  }

  /// Called with the mutex held.
  void respond(QTcpSocket* socket, const Request& request) {
    if (status_ != 0 || request.path != path_) {
      const int status = status_ != 0 ? status_ : 404;
      const QByteArray reason = status == 404 ? "Not Found" : "Internal Server Error";
      const QByteArray page = "<h1>" + QByteArray::number(status) + ' ' + reason + "</h1>";
      socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                    "\r\nContent-Type: text/html\r\nContent-Length: " +
                    QByteArray::number(page.size()) + "\r\nConnection: close\r\n\r\n" + page);
      socket->disconnectFromHost();
      return;
    }
    const qint64 size = body_.size();
    qint64 from = 0;
    bool partial = false;
    if (honourRange_ && request.range.startsWith("bytes=") && request.range.endsWith('-') &&
        (request.ifRange.isEmpty() || request.ifRange == etag_)) {
      from = request.range.mid(6, request.range.size() - 7).toLongLong();
      partial = true;
      if (from >= size) {
        socket->write("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                      QByteArray::number(size) +
                      "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
        return;
      }
    }
    QByteArray head = partial ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " +
                                    QByteArray::number(from) + '-' + QByteArray::number(size - 1) +
                                    '/' + QByteArray::number(size) + "\r\n"
                              : QByteArray("HTTP/1.1 200 OK\r\n");
    head += "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nETag: " + etag_ +
            "\r\nContent-Length: " + QByteArray::number(size - from) +
            "\r\nConnection: close\r\n\r\n";
    qint64 send = size - from;
    bool hold = false;
    if (cuts_ > 0 && cutAfter_ < send) {
      send = cutAfter_;
      --cuts_;
    } else if (holdAfter_ >= 0 && holdAfter_ < send) {
      send = holdAfter_;
      hold = true;
      holdAfter_ = -1;
    }
    socket->write(head + body_.mid(from, send));
    if (hold) return;  // the rest never comes; the client gives up (pause) or times out
    // Closed once what was written is sent: after a cut, before the body is complete.
    socket->disconnectFromHost();
  }

  mutable QMutex mutex_;
  QSemaphore ready_;
  quint16 port_ = 0;
  QByteArray body_;
  QByteArray path_;
  QByteArray etag_ = "\"v1\"";
  QList<Request> requests_;
  int status_ = 0;
  qint64 cutAfter_ = -1;
  int cuts_ = 0;
  qint64 holdAfter_ = -1;
  bool honourRange_ = true;
};

}  // namespace medsa::test
