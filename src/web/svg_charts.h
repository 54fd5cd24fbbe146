// File: svg_charts.h
// Charts drawn on the server as inline SVG, for the consoles' Insights pages: no script, no
// external asset, nothing the pages' CSP refuses (style-src 'self': no style attribute, no
// <style>). Colours and text sizes come from classes of static/tessera.css (".chart-…", the
// --chart-* custom properties, light and dark), with presentation attributes as the fallback
// of a page without its stylesheet. Each chart has a fixed viewBox and takes its box's width
// (scales down to a 320 px phone; the stylesheet's container queries enlarge its text and
// keep only the first and last date under ~440 px). Each says what it shows — role="img",
// aria-labelledby its <title> and <desc> (a sentence: "12 sign-ups in 30 days; most on
// 2026-12-05: 4.") — and is followed by the same numbers in a table under
// <details><summary>Show the numbers</summary>. All text (names, labels, dates) is
// XML-escaped; the markup is well-formed XML.
//
//   charts::ChartText t{.id = "signups", .title = "Sign-ups per day", .noun = "sign-ups",
//                       .empty = "No sign-ups in these 30 days", .today_note = "today so far"};
//   charts::Chart c = charts::DailyColumns(t, dates, {.name = "Sign-ups", .values = counts});
//   d.set("signups_chart", c.Html());   // {{{signups_chart}}} in the template
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::web::charts {

// One series of a day chart.
struct Series {
  // The legend's, the table column's and the summary's name: "Failed".
  std::string name = {};
  // One value a day, oldest first (as many as the dates; a missing one is 0).
  std::vector<int64_t> values = {};
  // A shorter name for the table cells' data-label ("Monthly"); "" = `name`.
  std::string label = {};
};

// What a chart says about itself.
struct ChartText {
  // Unique on the page ([a-z0-9-]): the ids <id>-chart, <id>-title, <id>-desc, <id>-numbers.
  std::string id = {};
  // The accessible name, and the numbers table's caption: "Sign-ins per day".
  std::string title = {};
  // What is counted, plural, lower case: "sign-ins".
  std::string noun = {};
  // The zero state, drawn and said: "No sign-ins in these 30 days".
  std::string empty = {};
  // Said after the last date in the numbers table ("today so far"), or "".
  std::string today_note = {};
};

// A chart's markup.
struct Chart {
  std::string legend;   // <ul class="chart-legend"> of a two-series chart; "" otherwise
  std::string svg;      // <svg class="chart-svg" role="img" …>…</svg>
  std::string numbers;  // <details class="chart-numbers">…<table>…</table></details>, or ""
  std::string summary;  // the <desc> sentence, plain text
  bool empty = false;   // every value 0: the zero state was drawn
  std::string Html() const { return legend + svg + numbers; }
};

// (a) One series a day, as columns (sign-ups).
Chart DailyColumns(const ChartText& text, const std::vector<std::string>& dates,
                   const Series& series);
// (b) Two series a day stacked, `bottom` under `top` (sign-ins: successful under failed); the
// summary counts `bottom` as `noun` and `top` apart: "5 sign-ins in 30 days, and 2 failed; …".
Chart StackedColumns(const ChartText& text, const std::vector<std::string>& dates,
                     const Series& bottom, const Series& top);
// (c) Two series a day as lines, `first` solid and `second` dashed (monthly and daily active).
Chart Lines(const ChartText& text, const std::vector<std::string>& dates, const Series& first,
            const Series& second);
// (d) A breakdown as horizontal bars in the order given (sign-in methods, most used first):
// each bar with its count and share of the whole; items of 0 are left out. At most
// kBreakdownBars bars: the rest are drawn as one "Other (n)" bar (the table lists them all).
// `item_column` and `count_column` head the table ("Method", "Sign-ins").
inline constexpr size_t kBreakdownBars = 8;
Chart Breakdown(const ChartText& text, const std::vector<std::pair<std::string, int64_t>>& items,
                std::string_view item_column, std::string_view count_column);

// ---- The pieces (tested on their own) ----------------------------------------------------

// A value axis from 0: `max` is a multiple of `step`, `step` is 1, 2 or 5 × 10^k, and there are
// 2 to 5 steps (3 to 6 gridlines with the zero line): 47 → 50 by 10, 6 → 6 by 2, 1 → 2 by 1;
// nothing to show (≤ 0) → 4 by 1.
struct Axis {
  int64_t max = 4;
  int64_t step = 1;
};
Axis NiceAxis(int64_t max_value);

// Which of `n` dates get a label on the x axis: the first, the last, and every `step`-th
// counted back from the last (a week: 7, or 14 when 7 would give more than `max_labels`),
// without the one too close to the first (less than half a step). 30 → {0, 8, 15, 22, 29}.
std::vector<size_t> DateLabelIndices(size_t n, size_t max_labels = 8);

// `text` for XML text and attribute values: & < > " ' escaped, C0 controls other than tab and
// line breaks dropped, ill-formed UTF-8 repaired (U+FFFD).
std::string XmlEscape(std::string_view text);
// 12345 → "12,345".
std::string GroupedNumber(int64_t n);
// An axis label: 950 → "950", 1500 → "1.5k", 20000 → "20k", 2500000 → "2.5M".
std::string CompactNumber(int64_t n);
// `part` of `total` in percent: `decimals` 0 → "80%", 1 → "0.4%"; "<1%" (or "<0.1%") for a
// part above zero that rounds to zero; "0%" of nothing.
std::string Percent(int64_t part, int64_t total, int decimals = 0);
// "2026-12-05" → "5 Dec" (anything else as given).
std::string ShortDate(std::string_view iso_date);

}  // namespace tessera::web::charts
