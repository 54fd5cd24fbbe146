// The partial expander shared by the page and mail templates.
#include "base/template_partials.h"

#include <gtest/gtest.h>

#include <map>

namespace tessera {
namespace {

PartialLookup From(const std::map<std::string, std::string>& partials) {
  return [&partials](std::string_view name) -> std::optional<TemplatePartial> {
    auto it = partials.find(std::string(name));
    if (it == partials.end()) return std::nullopt;
    return TemplatePartial{"_" + it->first, it->second};
  };
}

TEST(TemplatePartials, InlinesNestedPartialsAndLeavesOtherTagsAlone) {
  std::map<std::string, std::string> p{{"head", "<h1>{{title}}</h1>{{> logo }}"},
                                       {"logo", "<img alt=\"{{app_name}}\">"}};
  auto out = ExpandPartials("page.mustache", "{{>head}}<p>{{{body}}}</p>{{>\tlogo}}", From(p));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "<h1>{{title}}</h1><img alt=\"{{app_name}}\"><p>{{{body}}}</p><img alt=\"{{app_name}}\">");
  auto plain = ExpandPartials("x", "no partials {{here}}", From(p));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "no partials {{here}}");
}

TEST(TemplatePartials, BrokenTemplatesAreErrorsThatNameTheFile) {
  std::map<std::string, std::string> p{{"loop", "{{> loop}}"}};
  auto missing = ExpandPartials("page.mustache", "a {{> nope}} b", From(p));
  EXPECT_EQ(missing.status().code(), StatusCode::kInternal);
  EXPECT_EQ(missing.status().message(), "page.mustache: no partial nope");
  auto unclosed = ExpandPartials("page.mustache", "a {{> nope", From(p));
  EXPECT_EQ(unclosed.status().message(), "page.mustache: unclosed {{>");
  auto deep = ExpandPartials("page.mustache", "{{> loop}}", From(p));
  EXPECT_EQ(deep.status().code(), StatusCode::kInternal);
  EXPECT_NE(deep.status().message().find("nest too deeply"), std::string::npos);
}

TEST(TemplatePartials, TrimBlanks) {
  EXPECT_EQ(TrimBlanks(" \t name\t "), "name");
  EXPECT_EQ(TrimBlanks(""), "");
  EXPECT_EQ(TrimBlanks("a b"), "a b");
}

}  // namespace
}  // namespace tessera
