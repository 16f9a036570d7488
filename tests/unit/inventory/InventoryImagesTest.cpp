// Inventory: container images round-trip with their config, names and
// digests are unique, digest prefixes find every match, deletes are exact.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {
using ContainerImages = InMemoryInventory;
} // namespace

TEST_F(ContainerImages, RoundTripKeepsEveryField)
{
    auto id = inv().insertContainerImage(sampleContainerImage("redis", 'a'));
    ASSERT_OK(id);
    auto byName = inv().findContainerImageByName("redis");
    ASSERT_OK(byName);
    ASSERT_TRUE(byName->has_value());
    EXPECT_EQ(**byName, sampleContainerImage("redis", 'a', *id));
    auto byDigest = inv().findContainerImageByDigest("sha256:" + std::string(64, 'a'));
    ASSERT_OK(byDigest);
    ASSERT_TRUE(byDigest->has_value());
    EXPECT_EQ(**byDigest, **byName);
}

TEST_F(ContainerImages, AbsentImagesAreNullopt)
{
    auto byName = inv().findContainerImageByName("redis");
    ASSERT_OK(byName);
    EXPECT_FALSE(byName->has_value());
    auto byDigest = inv().findContainerImageByDigest("sha256:" + std::string(64, 'a'));
    ASSERT_OK(byDigest);
    EXPECT_FALSE(byDigest->has_value());
}

TEST_F(ContainerImages, NameAndDigestAreUnique)
{
    ASSERT_OK(inv().insertContainerImage(sampleContainerImage("redis", 'a')));
    auto sameName = inv().insertContainerImage(sampleContainerImage("redis", 'b'));
    ASSERT_FALSE(sameName);
    EXPECT_EQ(sameName.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(sameName.error().message.find("container_images.name"), std::string::npos) << sameName.error().message;
    auto sameDigest = inv().insertContainerImage(sampleContainerImage("other", 'a'));
    ASSERT_FALSE(sameDigest);
    EXPECT_EQ(sameDigest.error().code, ErrorCode::AlreadyExists);
    auto all = inv().containerImages();
    ASSERT_OK(all);
    EXPECT_EQ(all->size(), 1u);
}

TEST_F(ContainerImages, ListIsByNameAndPrefixFindsEveryMatch)
{
    ContainerImageRecord web = sampleContainerImage("web", 'a');
    web.info.digest = "sha256:ab" + std::string(62, '1');
    ContainerImageRecord db = sampleContainerImage("db", 'a');
    db.info.digest = "sha256:ab" + std::string(62, '2');
    ASSERT_OK(inv().insertContainerImage(web));
    ASSERT_OK(inv().insertContainerImage(db));
    auto all = inv().containerImages();
    ASSERT_OK(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].info.name, "db");
    EXPECT_EQ((*all)[1].info.name, "web");
    auto both = inv().findContainerImagesByDigest("sha256:ab");
    ASSERT_OK(both);
    EXPECT_EQ(both->size(), 2u);
    auto one = inv().findContainerImagesByDigest("sha256:ab1");
    ASSERT_OK(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ(one->front().info.name, "web");
    // '_' is not a wildcard.
    auto none = inv().findContainerImagesByDigest("sha256:a_");
    ASSERT_OK(none);
    EXPECT_TRUE(none->empty());
}

TEST_F(ContainerImages, DeleteRemovesOnlyThatRow)
{
    auto redis = inv().insertContainerImage(sampleContainerImage("redis", 'a'));
    ASSERT_OK(redis);
    ASSERT_OK(inv().insertContainerImage(sampleContainerImage("web", 'b')));
    ASSERT_OK(inv().deleteContainerImage(*redis));
    auto again = inv().deleteContainerImage(*redis);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
    auto all = inv().containerImages();
    ASSERT_OK(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().info.name, "web");
}

TEST_F(ContainerImages, AnUnreadableConfigIsAnErrorNamingTheImage)
{
    TestDirectory dir;
    {
        auto file = Inventory::open(dir.file());
        ASSERT_OK(file);
        ASSERT_OK(file->insertContainerImage(sampleContainerImage("redis", 'a')));
    }
    {
        auto db = Database::open(dir.file());
        ASSERT_OK(db);
        ASSERT_OK(db->exec("breaking the config", R"(UPDATE container_images SET config_json = '{"working_dir":"rel"}')"));
    }
    auto file = Inventory::open(dir.file());
    ASSERT_OK(file);
    auto found = file->findContainerImageByName("redis");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(found.error().message.find("container image 'redis' has an unreadable config"), std::string::npos)
        << found.error().message;
}

TEST_F(ContainerImages, RecordsWithoutNameOrVolumeAreRefused)
{
    ContainerImageRecord noVolume = sampleContainerImage("redis", 'a');
    noVolume.volumeFile.clear();
    auto refused = inv().insertContainerImage(noVolume);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(refused.error().message, "inventory: container image 'redis' has no volume file");
}
