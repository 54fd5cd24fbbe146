// The one text table of a closed set (base/enum_text.h), and the typed unique key a
// kAlreadyExists carries (base/status.h).
#include "base/enum_text.h"

#include <gtest/gtest.h>

#include "base/result.h"
#include "base/status.h"

namespace tessera {
namespace {

enum class Colour { kRed, kGreen, kBlue };
constexpr EnumText<Colour> kColourTexts[] = {
    {Colour::kRed, "red"},
    {Colour::kGreen, "green"},
    {Colour::kBlue, "blue"},
    {Colour::kGreen, "verde"},  // a former text: read, never written
};
constexpr std::span<const EnumText<Colour>> TextsOf(Colour) { return kColourTexts; }

static_assert(ToText(Colour::kBlue) == "blue");
static_assert(FromText<Colour>("red") == Colour::kRed);

TEST(EnumText, WritesTheFirstTextAndReadsEveryOne) {
  EXPECT_EQ(ToText(Colour::kGreen), "green");
  EXPECT_EQ(FromText<Colour>("green"), Colour::kGreen);
  EXPECT_EQ(FromText<Colour>("verde"), Colour::kGreen);
  EXPECT_EQ(FromText<Colour>("Red"), std::nullopt);  // exact text only
  EXPECT_EQ(FromText<Colour>(""), std::nullopt);
  EXPECT_EQ(ToText(static_cast<Colour>(7)), "");  // a value without a row has no text
}

enum class ShapeKey { kId, kName };
enum class OtherKey { kId, kName };

TEST(UniqueKey, ReadsBackOnlyAsItsOwnEnum) {
  Status s = AlreadyExistsError("name").WithUniqueKey(UniqueKey(ShapeKey::kName));
  EXPECT_TRUE(s.IsAlreadyExists());
  EXPECT_TRUE(s.ClashedOn(ShapeKey::kName));
  EXPECT_FALSE(s.ClashedOn(ShapeKey::kId));
  EXPECT_FALSE(s.ClashedOn(OtherKey::kName)) << "same number, another interface's key";
  EXPECT_EQ(s.unique_key()->As<ShapeKey>(), ShapeKey::kName);
  EXPECT_EQ(s.unique_key()->As<OtherKey>(), std::nullopt);
  EXPECT_FALSE(AlreadyExistsError("name").ClashedOn(ShapeKey::kName)) << "no key: no clash on one";
  Status internal = InternalError("x").WithUniqueKey(UniqueKey(ShapeKey::kId));
  EXPECT_FALSE(internal.ClashedOn(ShapeKey::kId)) << "only a kAlreadyExists clashes";
  Result<int> r = Status(s);
  EXPECT_TRUE(r.status().ClashedOn(ShapeKey::kName)) << "kept through a Result";
}

}  // namespace
}  // namespace tessera
