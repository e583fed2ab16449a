// cereal helpers with bounds: every length read from bytes is checked against a
// limit before anything is allocated, so a damaged file or a hostile peer cannot
// make a decoder allocate gigabytes. Lengths are u32; a violated bound throws
// cereal::Exception, which the Decode* functions turn into a Status.
//
// Thread-safety: stateless templates.
#pragma once

#include <cereal/cereal.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace evidence::ledger::serialization {

template <class Archive, class ByteContainer>
void SaveBytes(Archive& archive, const ByteContainer& bytes) {
  archive(static_cast<uint32_t>(bytes.size()));
  if (!bytes.empty()) {
    // Elements of one byte: the portable archive never swaps them (a void*
    // element would need GCC's sizeof(void) == 1 extension).
    archive(cereal::binary_data(
        const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(bytes.data())),
        bytes.size()));
  }
}

template <class Archive, class ByteContainer>
void LoadBytes(Archive& archive, ByteContainer& bytes, size_t max_bytes) {
  uint32_t size = 0;
  archive(size);
  if (size > max_bytes) throw cereal::Exception("byte string longer than its limit");
  bytes.resize(size);
  if (size > 0) archive(cereal::binary_data(reinterpret_cast<unsigned char*>(bytes.data()), size));
}

template <class Archive, class T>
void SaveVector(Archive& archive, const std::vector<T>& items) {
  archive(static_cast<uint32_t>(items.size()));
  for (const T& item : items) archive(item);
}

template <class Archive, class T>
void LoadVector(Archive& archive, std::vector<T>& items, size_t max_items) {
  uint32_t size = 0;
  archive(size);
  if (size > max_items) throw cereal::Exception("sequence longer than its limit");
  items.clear();
  items.reserve(size < 1024 ? size : 1024);
  for (uint32_t i = 0; i < size; ++i) {
    T item{};
    archive(item);
    items.push_back(std::move(item));
  }
}

}  // namespace evidence::ledger::serialization
