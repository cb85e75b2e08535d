// SPDX-License-Identifier: GPL-3.0-or-later
// The store behind previous_response_id: its three bounds, its per-key scoping, and how a stored
// conversation and a new turn join.
#include "gateway/api/ResponseStore.h"

#include <gtest/gtest.h>

#include <thread>

using namespace tarn::gateway;

namespace {

std::vector<ir::Message> turn(const std::string &user, const std::string &answer)
{
    ir::Part question;
    question.text = user;
    ir::Part reply;
    reply.text = answer;
    return {ir::Message{ir::Role::User, {question}}, ir::Message{ir::Role::Assistant, {reply}}};
}

} // namespace

TEST(ResponseStore, FindsWhatItKeptForTheSameKeyOnly)
{
    ResponseStore store;
    store.put(7, "resp_a", turn("hi", "hello"), 1000);
    const auto found = store.find(7, "resp_a", 1001);
    ASSERT_TRUE(found);
    ASSERT_EQ(found->size(), 2u);
    EXPECT_EQ(found->at(1).parts.at(0).text, "hello");
    EXPECT_FALSE(store.find(8, "resp_a", 1001)) << "another client key";
    EXPECT_FALSE(store.find(0, "resp_a", 1001)) << "keyless loopback is not key 7";
    EXPECT_FALSE(store.find(7, "resp_b", 1001));
}

TEST(ResponseStore, DropsTheOldestPastItsEntryLimit)
{
    ResponseStore store({3, 1 << 20, 60'000});
    for (int i = 0; i < 5; ++i)
        store.put(1, "resp_" + std::to_string(i), turn("q", "a"), 100 + i);
    EXPECT_EQ(store.size(), 3);
    EXPECT_FALSE(store.find(1, "resp_0", 200));
    EXPECT_FALSE(store.find(1, "resp_1", 200));
    EXPECT_TRUE(store.find(1, "resp_4", 200));
}

TEST(ResponseStore, KeepsItsBytesUnderTheLimit)
{
    const qint64 one = ResponseStore::weightOf(turn(std::string(1000, 'x'), "a"));
    ResponseStore store({100, one * 2 + one / 2, 60'000});
    for (int i = 0; i < 4; ++i)
        store.put(1, "resp_" + std::to_string(i), turn(std::string(1000, 'x'), "a"), 100);
    EXPECT_EQ(store.size(), 2);
    EXPECT_LE(store.bytes(), one * 2 + one / 2);
    EXPECT_TRUE(store.find(1, "resp_3", 100));
    EXPECT_FALSE(store.find(1, "resp_1", 100));

    // One conversation bigger than the whole budget is not kept, and evicts nothing.
    store.put(1, "resp_big", turn(std::string(10'000, 'y'), "a"), 100);
    EXPECT_FALSE(store.find(1, "resp_big", 100));
    EXPECT_EQ(store.size(), 2);
}

TEST(ResponseStore, ForgetsWhatIsTooOld)
{
    ResponseStore store({100, 1 << 20, 5'000});
    store.put(1, "resp_old", turn("q", "a"), 1'000);
    EXPECT_TRUE(store.find(1, "resp_old", 6'000));
    EXPECT_FALSE(store.find(1, "resp_old", 6'001));
    store.put(1, "resp_new", turn("q", "a"), 7'000); // expiry frees the old entry's bytes
    EXPECT_EQ(store.size(), 1);
}

TEST(ResponseStore, ReplacingAnIdKeepsTheCountsRight)
{
    ResponseStore store;
    store.put(1, "resp_a", turn("q", "a"), 1);
    store.put(1, "resp_a", turn(std::string(500, 'z'), "a"), 2);
    EXPECT_EQ(store.size(), 1);
    EXPECT_EQ(store.bytes(), ResponseStore::weightOf(turn(std::string(500, 'z'), "a")));
}

TEST(ResponseStore, ContinuedConversationMergesAdjacentRoles)
{
    std::vector<ir::Message> stored = turn("q1", "a1");
    ir::Part more;
    more.text = "a1 continued";
    ir::Part question;
    question.text = "q2";
    const std::vector<ir::Message> joined = continuedConversation(
        stored, {ir::Message{ir::Role::Assistant, {more}}, ir::Message{ir::Role::User, {question}}});
    ASSERT_EQ(joined.size(), 3u);
    EXPECT_EQ(joined[1].parts.size(), 2u);
    EXPECT_EQ(joined[1].parts[1].text, "a1 continued");
    EXPECT_EQ(joined[2].parts[0].text, "q2");
}

TEST(ResponseStore, IsSafeToShareBetweenWorkers)
{
    ResponseStore store({50, 1 << 20, 60'000});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&store, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string id = "resp_" + std::to_string(t) + "_" + std::to_string(i);
                store.put(t, id, turn("q", "a"), i);
                (void)store.find(t, id, i);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    EXPECT_EQ(store.size(), 50);
}
