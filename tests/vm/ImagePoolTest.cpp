// ImagePool against the real libvirtd: volumes of the guest image uploaded
// concurrently by several VM creations, and leftovers of an interrupted
// upload replaced.
#include "VmHarness.h"

#include "libvirt/ImagePool.h"

#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace pidvisor::test {
namespace {

using manager::Connection;
using manager::ImagePool;

std::string uniqueVolume()
{
    return "pvtest-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
}

std::string writeRandomFile(std::size_t bytes)
{
    std::string path = "/tmp/pidvisor-pooltest-" + std::to_string(::getpid()) + "-" + std::to_string(bytes);
    std::mt19937 rng(42);
    std::string data(bytes, '\0');
    for (auto& c : data)
        c = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary) << data;
    return path;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class ImagePoolTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_LIBVIRT();
        auto conn = Connection::open("qemu:///system");
        ASSERT_TRUE(conn) << conn.error().message;
        m_conn = std::move(*conn);
        m_name = uniqueVolume();
        m_file = writeRandomFile(3 * 1024 * 1024 + 17);
    }
    void TearDown() override
    {
        if (m_conn) {
            ImagePool pool(*m_conn);
            (void)pool.remove(m_name);
            (void)pool.remove(m_name + ".ready");
        }
        if (!m_file.empty())
            ::unlink(m_file.c_str());
    }

    std::unique_ptr<Connection> m_conn;
    std::string m_name, m_file;
};

TEST_F(ImagePoolTest, ConcurrentUploadsOfOneVolumeAllSucceedWithTheWholeFile)
{
    constexpr int kThreads = 4;
    std::vector<pidvisor::Result<std::string>> results(kThreads, std::string());
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            // One connection per caller, as two GUI operations or a GUI and a CLI have.
            auto conn = Connection::open("qemu:///system");
            if (!conn) {
                results[static_cast<std::size_t>(i)] = tl::unexpected(conn.error());
                return;
            }
            ImagePool pool(**conn);
            results[static_cast<std::size_t>(i)] = pool.ensureFile(m_name, m_file, {});
        });
    for (auto& t : threads)
        t.join();
    for (const auto& r : results) {
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(*r, *results[0]);
    }
    EXPECT_EQ(slurp(*results[0]), slurp(m_file));
}

TEST_F(ImagePoolTest, AnAbandonedPartialVolumeIsReplaced)
{
    // What a manager killed mid-upload leaves: the volume, sized, half empty.
    ImagePool pool(*m_conn);
    ASSERT_TRUE(pool.ensure());
    auto size = slurp(m_file).size();
    std::string xml = "<volume><name>" + m_name + "</name><capacity unit='bytes'>" + std::to_string(size) +
                      "</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>";
    manager::PoolPtr raw(virStoragePoolLookupByName(m_conn->raw(), manager::kPoolName));
    ASSERT_TRUE(raw);
    manager::VolumePtr partial(virStorageVolCreateXML(raw.get(), xml.c_str(), 0));
    ASSERT_TRUE(partial);

    pool.setUploadStallTimeout(std::chrono::milliseconds(1500));
    auto path = pool.ensureFile(m_name, m_file, {});
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(slurp(*path), slurp(m_file));
}

TEST_F(ImagePoolTest, TheUploadersMarkerMakesAVolumeCompleteWhateverItsAllocation)
{
    // A compressed filesystem reports less allocation than the size: the
    // marker, not the allocation, says the upload finished.
    ImagePool pool(*m_conn);
    ASSERT_TRUE(pool.ensureFile(m_name, m_file, {}));
    ASSERT_TRUE(manager::VolumePtr(virStorageVolLookupByName(
        manager::PoolPtr(virStoragePoolLookupByName(m_conn->raw(), manager::kPoolName)).get(),
        (m_name + ".ready").c_str())))
        << "no marker after an upload";
    auto size = slurp(m_file).size();
    ASSERT_TRUE(pool.remove(m_name));
    std::string xml = "<volume><name>" + m_name + "</name><capacity unit='bytes'>" + std::to_string(size) +
                      "</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>";
    manager::PoolPtr raw(virStoragePoolLookupByName(m_conn->raw(), manager::kPoolName));
    manager::VolumePtr sparse(virStorageVolCreateXML(raw.get(), xml.c_str(), 0));
    ASSERT_TRUE(sparse);
    pool.setUploadStallTimeout(std::chrono::milliseconds(1500));
    auto path = pool.ensureFile(m_name, m_file, {});
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_NE(slurp(*path), slurp(m_file)) << "a marked volume was uploaded again";
}

TEST_F(ImagePoolTest, AVolumeOfAnotherSizeIsReplaced)
{
    std::string other = writeRandomFile(4096);
    ImagePool pool(*m_conn);
    ASSERT_TRUE(pool.ensureFile(m_name, other, {}));
    ::unlink(other.c_str());
    auto path = pool.ensureFile(m_name, m_file, {});
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(slurp(*path), slurp(m_file));
}

} // namespace
} // namespace pidvisor::test
