// A fixture for manager unit tests against libvirt's in-memory
// test:///default driver: an inventory in memory (SQLite) and a connection
// to the driver, both fresh for each test.
#pragma once

#include "inventory/Inventory.h"
#include "libvirt/Connection.h"

#include <gtest/gtest.h>

#include <memory>

namespace pidvisor::manager::test {

class TestDriverFixture : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto inv = Inventory::open(":memory:");
        ASSERT_TRUE(inv) << inv.error().message;
        m_inventory = std::make_unique<Inventory>(std::move(*inv));
        auto conn = Connection::open("test:///default");
        ASSERT_TRUE(conn) << conn.error().message;
        m_conn = std::move(*conn);
    }

    std::unique_ptr<Inventory> m_inventory;
    std::unique_ptr<Connection> m_conn;
};

} // namespace pidvisor::manager::test
