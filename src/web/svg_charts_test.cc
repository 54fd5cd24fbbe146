// The server-drawn charts of the Insights pages (web/svg_charts.h): nice axes, thinned date
// labels, the zero state, escaping of every label, the summary sentences, the numbers table,
// and markup that parses as XML — the chart alone and with its legend and table.
#include "web/svg_charts.h"

#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace tessera::web::charts {
namespace {

size_t Count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t pos = 0; (pos = s.find(what, pos)) != std::string::npos; pos += what.size()) ++n;
  return n;
}

// Whether `xml` is one well-formed XML element (boost's XML parser throws otherwise).
::testing::AssertionResult WellFormed(const std::string& xml) {
  std::istringstream in(xml);
  boost::property_tree::ptree tree;
  try {
    boost::property_tree::read_xml(in, tree);
  } catch (const boost::property_tree::xml_parser_error& e) {
    return ::testing::AssertionFailure() << e.what() << "\n" << xml;
  }
  if (tree.size() != 1) return ::testing::AssertionFailure() << "not one root element\n" << xml;
  return ::testing::AssertionSuccess();
}

// `n` dates from 2026-11-06 on (n ≤ 55: November and December).
std::vector<std::string> Dates(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    const size_t d = 6 + i;
    const bool november = d <= 30;
    const size_t day = november ? d : d - 30;
    out.push_back(std::string("2026-") + (november ? "11-" : "12-") + (day < 10 ? "0" : "") +
                  std::to_string(day));
  }
  return out;
}

ChartText Text(std::string id, std::string noun) {
  return ChartText{.id = id,
                   .title = "Per day: " + noun,
                   .noun = noun,
                   .empty = "No " + noun + " in these 30 days",
                   .today_note = "today so far"};
}

TEST(SvgCharts, NiceAxisMaxima) {
  auto axis = [](int64_t max) {
    Axis a = NiceAxis(max);
    return std::make_pair(a.max, a.step);
  };
  EXPECT_EQ(axis(47), std::make_pair(int64_t{50}, int64_t{10}));
  EXPECT_EQ(axis(50), std::make_pair(int64_t{50}, int64_t{10}));
  EXPECT_EQ(axis(51), std::make_pair(int64_t{60}, int64_t{20}));
  EXPECT_EQ(axis(6), std::make_pair(int64_t{6}, int64_t{2}));
  EXPECT_EQ(axis(5), std::make_pair(int64_t{5}, int64_t{1}));
  EXPECT_EQ(axis(3), std::make_pair(int64_t{3}, int64_t{1}));
  EXPECT_EQ(axis(1), std::make_pair(int64_t{2}, int64_t{1}));
  EXPECT_EQ(axis(11), std::make_pair(int64_t{15}, int64_t{5}));
  EXPECT_EQ(axis(612), std::make_pair(int64_t{800}, int64_t{200}));
  EXPECT_EQ(axis(10'000'000), std::make_pair(int64_t{10'000'000}, int64_t{2'000'000}));
  // Nothing to show: still an axis with a few gridlines.
  EXPECT_EQ(axis(0), std::make_pair(int64_t{4}, int64_t{1}));
  EXPECT_EQ(axis(-3), std::make_pair(int64_t{4}, int64_t{1}));
  // Always 2 to 5 steps of 1, 2 or 5 × 10^k, covering the maximum.
  for (int64_t max = 1; max <= 5000; ++max) {
    Axis a = NiceAxis(max);
    ASSERT_GE(a.max, max);
    ASSERT_EQ(a.max % a.step, 0);
    ASSERT_GE(a.max / a.step, 2) << max;
    ASSERT_LE(a.max / a.step, 5) << max;
    int64_t m = a.step;
    while (m % 10 == 0) m /= 10;
    ASSERT_TRUE(m == 1 || m == 2 || m == 5) << a.step;
  }
}

TEST(SvgCharts, DateLabelsAreThinnedToFit) {
  using V = std::vector<size_t>;
  EXPECT_EQ(DateLabelIndices(30), (V{0, 8, 15, 22, 29}));           // first, weekly back from today
  EXPECT_EQ(DateLabelIndices(90), (V{0, 19, 33, 47, 61, 75, 89}));  // fortnightly: 90 is many
  EXPECT_EQ(DateLabelIndices(0), V{});
  EXPECT_EQ(DateLabelIndices(1), V{0});
  EXPECT_EQ(DateLabelIndices(2), (V{0, 1}));
  EXPECT_EQ(DateLabelIndices(8), (V{0, 7}));
  EXPECT_EQ(DateLabelIndices(12), (V{0, 4, 11}));
  for (size_t n = 2; n <= 400; ++n) {
    V v = DateLabelIndices(n);
    ASSERT_EQ(v.front(), 0u);
    ASSERT_EQ(v.back(), n - 1);
    ASSERT_LE(v.size(), 8u) << n;
    ASSERT_TRUE(std::is_sorted(v.begin(), v.end()));
  }
  // In a chart: 30 dates, 5 labels, the inner ones hidden first on a narrow screen.
  std::vector<int64_t> ones(30, 1);
  Chart c = DailyColumns(Text("s", "sign-ups"), Dates(30), {.name = "Sign-ups", .values = ones});
  EXPECT_EQ(Count(c.svg, "dy=\"0.9em\""), 5u);
  EXPECT_EQ(Count(c.svg, "class=\"chart-x-minor\""), 3u);
  EXPECT_NE(c.svg.find(">6 Nov</text>"), std::string::npos);
  EXPECT_NE(c.svg.find(">5 Dec</text>"), std::string::npos);
}

TEST(SvgCharts, NumbersForPeople) {
  EXPECT_EQ(GroupedNumber(0), "0");
  EXPECT_EQ(GroupedNumber(999), "999");
  EXPECT_EQ(GroupedNumber(1000), "1,000");
  EXPECT_EQ(GroupedNumber(10'000'000), "10,000,000");
  EXPECT_EQ(GroupedNumber(-1234), "-1,234");
  EXPECT_EQ(CompactNumber(950), "950");
  EXPECT_EQ(CompactNumber(1000), "1k");
  EXPECT_EQ(CompactNumber(1500), "1.5k");
  EXPECT_EQ(CompactNumber(20000), "20k");
  EXPECT_EQ(CompactNumber(2'500'000), "2.5M");
  EXPECT_EQ(Percent(4, 5), "80%");
  EXPECT_EQ(Percent(1, 3), "33%");
  EXPECT_EQ(Percent(0, 0), "0%");
  EXPECT_EQ(Percent(1, 1000), "<1%");
  EXPECT_EQ(Percent(4, 1000, 1), "0.4%");
  EXPECT_EQ(Percent(1, 100000, 1), "<0.1%");
  EXPECT_EQ(Percent(7, 7), "100%");
  EXPECT_EQ(ShortDate("2026-12-05"), "5 Dec");
  EXPECT_EQ(ShortDate("2026-01-31"), "31 Jan");
  EXPECT_EQ(ShortDate("yesterday"), "yesterday");
  EXPECT_EQ(ShortDate("2026-13-05"), "2026-13-05");
}

TEST(SvgCharts, LabelsAreEscaped) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  EXPECT_EQ(XmlEscape(evil), "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
  EXPECT_EQ(XmlEscape(std::string("a\0b\x01"
                                  "c\td",
                                  7)),
            "abc\td");                                 // C0 controls are not XML
  EXPECT_EQ(XmlEscape("caf\xC3"), "caf\xEF\xBF\xBD");  // repaired, not cut

  ChartText t{.id = "m",
              .title = "Title " + evil,
              .noun = "sign-ins " + evil,
              .empty = "Nothing " + evil,
              .today_note = "today " + evil};
  std::vector<Chart> charts = {
      DailyColumns(t, Dates(3), {.name = "Name " + evil, .values = {1, 2, 3}}),
      StackedColumns(t, Dates(3), {.name = "Ok " + evil, .values = {1, 2, 3}},
                     {.name = "Failed " + evil, .values = {0, 1, 0}, .label = "Lbl " + evil}),
      Lines(t, Dates(3), {.name = "Monthly " + evil, .values = {1, 2, 3}},
            {.name = "Daily " + evil, .values = {1, 1, 1}}),
      Breakdown(t, {{"github " + evil, 3}, {"password", 1}}, "Method " + evil, "Count " + evil),
      DailyColumns(t, Dates(3), {.name = "Name " + evil, .values = {0, 0, 0}}),  // zero state
      Breakdown(t, {}, "Method", "Sign-ins"),
  };
  for (const Chart& c : charts) {
    const std::string html = c.Html();
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("\"'&"), std::string::npos) << html;
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
              std::string::npos);
    EXPECT_TRUE(WellFormed("<div>" + html + "</div>"));
  }
}

TEST(SvgCharts, EachChartIsAnImageWithATitleADescriptionAndItsNumbers) {
  const std::vector<std::string> dates = Dates(30);
  std::vector<int64_t> ok(30, 0), failed(30, 0);
  ok[29] = 5;
  ok[22] = 8;
  failed[29] = 2;
  ChartText t = Text("signins", "sign-ins");
  t.title = "Sign-ins per day";
  Chart c = StackedColumns(t, dates, {.name = "Successful", .values = ok},
                           {.name = "Failed", .values = failed});
  EXPECT_FALSE(c.empty);
  EXPECT_EQ(c.summary,
            "13 sign-ins in 30 days, and 2 failed; most on 2026-11-28: 8, and 0 failed.");
  EXPECT_TRUE(c.svg.starts_with("<svg class=\"chart-svg\" id=\"signins-chart\""));
  EXPECT_NE(c.svg.find(" role=\"img\""), std::string::npos);
  EXPECT_NE(c.svg.find(" viewBox=\"0 0 480 220\""), std::string::npos);
  EXPECT_NE(c.svg.find(" width=\"100%\""), std::string::npos);
  EXPECT_NE(c.svg.find(" aria-labelledby=\"signins-title signins-desc\""), std::string::npos);
  EXPECT_NE(c.svg.find("<title id=\"signins-title\">Sign-ins per day</title>"), std::string::npos);
  EXPECT_NE(c.svg.find("<desc id=\"signins-desc\">" + c.summary + "</desc>"), std::string::npos);
  EXPECT_EQ(c.svg.find("style"), std::string::npos) << "no style attribute or element (CSP)";
  EXPECT_EQ(Count(c.svg, "<rect "), 3u) << "one column part per non-zero value";
  // The legend names both series; the table has every day, newest first, today marked.
  EXPECT_NE(c.legend.find(">Successful</li>"), std::string::npos);
  EXPECT_NE(c.legend.find(">Failed</li>"), std::string::npos);
  EXPECT_TRUE(c.numbers.starts_with("<details class=\"chart-numbers\"><summary>Show the numbers"));
  EXPECT_NE(c.numbers.find("<table class=\"table table-numbers\" id=\"signins-numbers\">"),
            std::string::npos);
  EXPECT_EQ(Count(c.numbers, "<tr><td class=\"cell-date\" data-label=\"Date\">"), 30u);
  EXPECT_NE(c.numbers.find("<tbody><tr><td class=\"cell-date\" data-label=\"Date\">2026-12-05 "
                           "<span class=\"cell-detail\">"
                           "today so far</span></td><td data-label=\"Successful\">5</td>"
                           "<td data-label=\"Failed\">2</td></tr>"),
            std::string::npos)
      << c.numbers;
  EXPECT_TRUE(WellFormed(c.svg));
  EXPECT_TRUE(WellFormed("<div>" + c.Html() + "</div>"));

  // One series: columns and their sentence.
  Chart s = DailyColumns(Text("signups", "sign-ups"), dates, {.name = "Sign-ups", .values = ok});
  EXPECT_EQ(s.summary, "13 sign-ups in 30 days; most on 2026-11-28: 8.");
  EXPECT_TRUE(s.legend.empty());
  EXPECT_TRUE(WellFormed(s.svg));

  // Lines: today's value and the most.
  std::vector<int64_t> monthly(30, 3), daily(30, 0);
  daily[10] = 2;
  daily[29] = 1;
  Chart l = Lines(Text("active", "active users"), dates,
                  {.name = "Monthly active users", .values = monthly, .label = "Monthly"},
                  {.name = "Daily active users", .values = daily, .label = "Daily"});
  EXPECT_EQ(l.summary,
            "Monthly active users: 3 on 2026-12-05, at most 3 (on 2026-12-05); daily active users: "
            "1 on 2026-12-05, at most 2 (on 2026-11-16).");
  EXPECT_EQ(Count(l.svg, "<polyline "), 2u);
  EXPECT_NE(l.svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(l.numbers.find("<td data-label=\"Monthly\">3</td><td data-label=\"Daily\">1</td>"),
            std::string::npos);
  EXPECT_TRUE(WellFormed("<div>" + l.Html() + "</div>"));

  // Breakdown: counts and shares, largest first.
  Chart b = Breakdown(Text("methods", "sign-ins"), {{"Password", 4}, {"Passkey", 1}}, "Method",
                      "Sign-ins");
  EXPECT_EQ(b.summary, "5 sign-ins: Password 4 (80%), Passkey 1 (20%).");
  EXPECT_NE(b.svg.find(">Password</text>"), std::string::npos);
  EXPECT_NE(b.svg.find(">4 · 80%</text>"), std::string::npos);
  EXPECT_NE(b.svg.find(" viewBox=\"0 0 480 92\""), std::string::npos);
  EXPECT_NE(b.numbers.find("<td data-label=\"Share\">20%</td>"), std::string::npos);
  EXPECT_TRUE(WellFormed("<div>" + b.Html() + "</div>"));
}

TEST(SvgCharts, ZeroStateSaysSo) {
  const std::vector<std::string> dates = Dates(30);
  const std::vector<int64_t> zeros(30, 0);
  ChartText t = Text("signins", "sign-ins");
  Chart c = StackedColumns(t, dates, {.name = "Successful", .values = zeros},
                           {.name = "Failed", .values = zeros});
  EXPECT_TRUE(c.empty);
  EXPECT_EQ(c.summary, "No sign-ins in these 30 days.");
  EXPECT_NE(c.svg.find(">No sign-ins in these 30 days</text>"), std::string::npos);
  EXPECT_EQ(c.svg.find("<rect"), std::string::npos) << "no columns";
  EXPECT_TRUE(c.legend.empty());
  // A sane axis: 0 to 4 and the dates.
  EXPECT_NE(c.svg.find(">4</text>"), std::string::npos);
  EXPECT_NE(c.svg.find(">0</text>"), std::string::npos);
  EXPECT_NE(c.svg.find(">5 Dec</text>"), std::string::npos);
  EXPECT_TRUE(WellFormed(c.svg));

  Chart l = Lines(t, dates, {.name = "A", .values = zeros}, {.name = "B", .values = {}});
  EXPECT_TRUE(l.empty);
  EXPECT_EQ(l.svg.find("<polyline"), std::string::npos);
  EXPECT_TRUE(WellFormed("<div>" + l.Html() + "</div>"));

  Chart b = Breakdown(t, {{"password", 0}}, "Method", "Sign-ins");
  EXPECT_TRUE(b.empty);
  EXPECT_EQ(b.summary, "No sign-ins in these 30 days.");
  EXPECT_TRUE(b.numbers.empty()) << "no table of nothing";
  EXPECT_TRUE(WellFormed(b.svg));

  // No dates at all still draws a frame.
  Chart none = DailyColumns(t, {}, {.name = "Sign-ups", .values = {}});
  EXPECT_TRUE(none.empty);
  EXPECT_TRUE(WellFormed("<div>" + none.Html() + "</div>"));
}

TEST(SvgCharts, ABreakdownFoldsTheTailAndCutsLongLabels) {
  std::vector<std::pair<std::string, int64_t>> items;
  for (int i = 0; i < 12; ++i) items.emplace_back("provider-" + std::to_string(i), 12 - i);
  items.emplace_back(std::string(40, 'x') + "é", 1);
  Chart b = Breakdown(Text("methods", "sign-ins"), items, "Method", "Sign-ins");
  EXPECT_EQ(Count(b.svg, "class=\"chart-label\""), kBreakdownBars);
  EXPECT_NE(b.svg.find(">Other (6)</text>"), std::string::npos);
  EXPECT_EQ(Count(b.numbers, "<tr><td data-label=\"Method\""), items.size()) << "the table: all";
  EXPECT_NE(b.numbers.find(std::string(40, 'x') + "é</td>"), std::string::npos);
  EXPECT_NE(b.summary.find(" and 3 more."), std::string::npos) << b.summary;
  EXPECT_TRUE(WellFormed("<div>" + b.Html() + "</div>"));
  // A long label is cut to 28 characters in the picture (whole in the table and tooltip).
  std::vector<std::pair<std::string, int64_t>> one = {{std::string(40, 'y') + "é", 2}};
  Chart cut = Breakdown(Text("m2", "sign-ins"), one, "Method", "Sign-ins");
  EXPECT_NE(cut.svg.find(">" + std::string(27, 'y') + "…</text>"), std::string::npos) << cut.svg;
  EXPECT_NE(cut.svg.find("<title>" + std::string(40, 'y') + "é: 2 sign-ins (100%)</title>"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera::web::charts
