// ArrivingBody: the Beast body type of the API server's requests (server.cc;
// tested in tests/api/server_test.cc). Beast's string_body reserves the whole
// Content-Length (up to the body limit) before the first byte arrives: 300
// connections announcing 8 MiB each pinned 2.2 GiB (issue 17, finding 5). This
// body grows only as bytes arrive, and each chunk is first reserved from a
// BodyBudget (the client's share, see client_table.h); when the budget says no,
// the read fails with no_buffer_space and nothing is stored.
//
// Thread-safety: a body belongs to one connection; the budget must be
// thread-safe if shared.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

namespace evidence::api {

// What a connection reserves of its client's share while a body arrives.
class BodyBudget {
 public:
  virtual ~BodyBudget() = default;
  // False when `bytes` more would exceed the budget (nothing is reserved then).
  virtual bool Reserve(size_t bytes) = 0;
};

struct ArrivingBody {
  struct value_type {
    std::string text;
    BodyBudget* budget = nullptr;  // null: unbudgeted (the body limit still holds)
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    // The announced length is deliberately not reserved.
    void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      const size_t bytes = boost::asio::buffer_size(buffers);
      if (body_.budget != nullptr && !body_.budget->Reserve(bytes)) {
        ec = boost::beast::errc::make_error_code(boost::beast::errc::no_buffer_space);
        return 0;
      }
      const size_t at = body_.text.size();
      body_.text.resize(at + bytes);
      boost::asio::buffer_copy(boost::asio::buffer(body_.text.data() + at, bytes), buffers);
      ec = {};
      return bytes;
    }

    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace evidence::api
