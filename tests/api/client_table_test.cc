#include "api/http/client_table.h"

#include <gtest/gtest.h>

namespace evidence::api {
namespace {

TEST(ClientTableTest, OneClientGetsOnlyItsShareOfTheConnections) {
  ClientTable table(/*connections_max=*/10, /*per_client=*/3, /*client_body=*/100, /*body=*/250);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(table.Open("10.0.0.1"), ClientTable::Admission::kAdmitted);
  EXPECT_EQ(table.Open("10.0.0.1"), ClientTable::Admission::kClientFull);
  EXPECT_EQ(table.Open("10.0.0.2"), ClientTable::Admission::kAdmitted);
  EXPECT_EQ(table.connections(), 4u);  // a refused connection holds no slot
  table.Close("10.0.0.1", 0);
  EXPECT_EQ(table.Open("10.0.0.1"), ClientTable::Admission::kAdmitted);
  EXPECT_EQ(table.Open("10.0.0.1"), ClientTable::Admission::kClientFull);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(table.Open("10.0.0." + std::to_string(10 + i)), ClientTable::Admission::kAdmitted);
  }
  EXPECT_EQ(table.Open("10.0.0.99"), ClientTable::Admission::kServerFull);
  EXPECT_EQ(table.clients(), 8u);
}

TEST(ClientTableTest, BodiesAreReservedPerClientAndInAll) {
  ClientTable table(10, 10, /*client_body=*/100, /*body=*/150);
  table.Open("a");
  table.Open("b");
  EXPECT_TRUE(table.ReserveBody("a", 60));
  EXPECT_TRUE(table.ReserveBody("a", 40));
  EXPECT_FALSE(table.ReserveBody("a", 1));  // the client's share is used up
  EXPECT_TRUE(table.ReserveBody("b", 50));
  EXPECT_FALSE(table.ReserveBody("b", 1));  // the server's is too
  EXPECT_EQ(table.body_bytes(), 150u);
  table.ReleaseBody("a", 60);
  EXPECT_TRUE(table.ReserveBody("b", 50));
  // Closing releases what the connection still held, and forgets the client.
  table.Close("a", 40);
  table.Close("b", 100);
  EXPECT_EQ(table.body_bytes(), 0u);
  EXPECT_EQ(table.clients(), 0u);
}

}  // namespace
}  // namespace evidence::api
