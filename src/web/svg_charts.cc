#include "web/svg_charts.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "base/utf8.h"

namespace tessera::web::charts {
namespace {

// The day charts' box (viewBox units): the y axis's labels left of the plot, the dates under.
constexpr double kDayW = 480;
constexpr double kDayH = 220;
constexpr double kPlotLeft = 52;
constexpr double kPlotRight = 472;
constexpr double kPlotTop = 12;
constexpr double kPlotBottom = 190;
constexpr double kBarShare = 0.72;  // of a day's slot; the rest is the gap
// The breakdown's box: a row each (its label and count above its bar).
constexpr double kBreakdownW = 480;
constexpr double kRowH = 44;
constexpr size_t kLabelChars = 28;  // a longer label is cut (whole in the table and tooltip)
constexpr size_t kSummaryItems = 5;

// Fallback colours (presentation attributes; the stylesheet's classes win): the light palette.
constexpr std::string_view kFill1 = "#4f46e5";
constexpr std::string_view kFill2 = "#dc2626";
constexpr std::string_view kLine2 = "#0f766e";
constexpr std::string_view kGrid = "#e4e4e7";
constexpr std::string_view kAxis = "#a1a1aa";
constexpr std::string_view kMuted = "#52525b";
constexpr std::string_view kText = "#18181b";
constexpr std::string_view kTrack = "#f4f4f5";

// A coordinate: at most one decimal, no trailing ".0".
std::string Num(double v) {
  if (!std::isfinite(v)) v = 0;
  std::array<char, 64> buf;
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, 1);
  if (ec != std::errc()) return "0";
  std::string s(buf.data(), end);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

std::string Attr(std::string_view name, std::string_view value) {
  std::string out = " ";
  out += name;
  out += "=\"";
  out += XmlEscape(value);
  out += '"';
  return out;
}

// The first letter in lower case ("Failed" → "failed"), for a name inside a sentence.
std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

// At most `max` code points of `s`, "…" ending a cut.
std::string Cut(std::string_view s, size_t max) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (points == max - 1) {
      size_t rest = 0;
      for (size_t j = i; j < s.size(); ++j) {
        if ((static_cast<unsigned char>(s[j]) & 0xC0) != 0x80) ++rest;
      }
      if (rest > 1) return std::string(s.substr(0, i)) + "…";
    }
    ++points;
  }
  return std::string(s);
}

int64_t ValueAt(const Series& s, size_t i) {
  return i < s.values.size() ? std::max<int64_t>(s.values[i], 0) : 0;
}

int64_t Total(const Series& s, size_t n) {
  int64_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += ValueAt(s, i);
  return sum;
}

// The index of the largest value (the latest of equals).
template <typename F>
size_t Peak(size_t n, F value) {
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    if (value(i) >= value(best)) best = i;
  }
  return best;
}

std::string Days(size_t n) {
  return GroupedNumber(static_cast<int64_t>(n)) + (n == 1 ? " day" : " days");
}

std::string SvgOpen(const ChartText& t, double w, double h, std::string_view summary) {
  std::string out = "<svg class=\"chart-svg\"" + Attr("id", t.id + "-chart") +
                    " xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(w) + " " + Num(h) +
                    "\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\"" +
                    Attr("aria-labelledby", t.id + "-title " + t.id + "-desc") + ">";
  out += "<title" + Attr("id", t.id + "-title") + ">" + XmlEscape(t.title) + "</title>";
  out += "<desc" + Attr("id", t.id + "-desc") + ">" + XmlEscape(summary) + "</desc>";
  return out;
}

// A day chart's frame: gridlines with their values, the zero line, the dates under.
struct DayFrame {
  size_t n;
  Axis axis;
  double slot;  // one day's width
  double Y(int64_t v) const {
    return kPlotBottom -
           static_cast<double>(v) / static_cast<double>(axis.max) * (kPlotBottom - kPlotTop);
  }
  double Left(size_t i) const { return kPlotLeft + slot * static_cast<double>(i); }
  double Center(size_t i) const { return Left(i) + slot / 2; }
};

DayFrame MakeFrame(size_t n, int64_t max_value) {
  return DayFrame{n, NiceAxis(max_value),
                  (kPlotRight - kPlotLeft) / static_cast<double>(std::max<size_t>(n, 1))};
}

std::string Frame(const DayFrame& f, const std::vector<std::string>& dates) {
  std::string out =
      "<g class=\"chart-grid\"" + Attr("stroke", kGrid) + " shape-rendering=\"crispEdges\">";
  for (int64_t v = f.axis.step; v <= f.axis.max; v += f.axis.step) {
    std::string y = Num(f.Y(v));
    out += "<line x1=\"" + Num(kPlotLeft) + "\" y1=\"" + y + "\" x2=\"" + Num(kPlotRight) +
           "\" y2=\"" + y + "\" vector-effect=\"non-scaling-stroke\"/>";
  }
  out += "</g>";
  out += "<line class=\"chart-axis-line\"" + Attr("stroke", kAxis) + " x1=\"" + Num(kPlotLeft) +
         "\" y1=\"" + Num(kPlotBottom) + "\" x2=\"" + Num(kPlotRight) + "\" y2=\"" +
         Num(kPlotBottom) +
         "\" vector-effect=\"non-scaling-stroke\" shape-rendering=\"crispEdges\"/>";
  out += "<g class=\"chart-y\"" + Attr("fill", kMuted) + " font-size=\"12\" text-anchor=\"end\">";
  for (int64_t v = 0; v <= f.axis.max; v += f.axis.step) {
    out += "<text x=\"" + Num(kPlotLeft - 6) + "\" y=\"" + Num(f.Y(v)) + "\" dy=\"0.32em\">" +
           XmlEscape(CompactNumber(v)) + "</text>";
  }
  out += "</g>";
  out += "<g class=\"chart-x\"" + Attr("fill", kMuted) + " font-size=\"12\">";
  const std::vector<size_t> labels = DateLabelIndices(f.n);
  for (size_t k = 0; k < labels.size(); ++k) {
    const size_t i = labels[k];
    const bool first = k == 0 && labels.size() > 1;
    const bool last = k + 1 == labels.size() && labels.size() > 1;
    const double x = first ? kPlotLeft : last ? kPlotRight : f.Center(i);
    const char* anchor = first ? "start" : last ? "end" : "middle";
    out += "<text";
    if (!first && !last) out += " class=\"chart-x-minor\"";
    out += " x=\"" + Num(x) + "\" y=\"" + Num(kPlotBottom + 4) + "\" dy=\"0.9em\" text-anchor=\"" +
           anchor + "\">" + XmlEscape(ShortDate(i < dates.size() ? dates[i] : "")) + "</text>";
  }
  out += "</g>";
  return out;
}

std::string EmptyText(const ChartText& t, double cx, double cy) {
  return "<text class=\"chart-empty\"" + Attr("fill", kMuted) + " font-size=\"14\" x=\"" + Num(cx) +
         "\" y=\"" + Num(cy) + "\" dy=\"0.32em\" text-anchor=\"middle\">" + XmlEscape(t.empty) +
         "</text>";
}

std::string Rect(double x, double y, double w, double h, std::string_view tooltip) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) + "\" height=\"" +
         Num(h) + "\"><title>" + XmlEscape(tooltip) + "</title></rect>";
}

// A legend entry's key: a swatch, or a line (dashed for the second).
std::string LegendItem(std::string_view name, std::string_view key) {
  return "<li><svg class=\"chart-key\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 10\""
         " width=\"16\" height=\"10\" aria-hidden=\"true\">" +
         std::string(key) + "</svg>" + XmlEscape(name) + "</li>";
}

std::string Swatch(std::string_view cls, std::string_view fill) {
  return "<rect class=\"" + std::string(cls) + "\"" + Attr("fill", fill) +
         " width=\"16\" height=\"10\" rx=\"2\"/>";
}

std::string LineKey(std::string_view cls, std::string_view stroke, bool dashed) {
  return "<line class=\"" + std::string(cls) + "\"" + Attr("stroke", stroke) +
         " x1=\"1\" y1=\"5\" x2=\"15\" y2=\"5\" stroke-width=\"2.5\"" +
         (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
}

// The numbers of a day chart, newest first.
std::string DayTable(const ChartText& t, const std::vector<std::string>& dates,
                     const std::vector<const Series*>& series) {
  std::string out =
      "<details class=\"chart-numbers\"><summary>Show the numbers"
      "<span class=\"visually-hidden\">: " +
      XmlEscape(t.title) +
      "</span></summary>"
      "<div class=\"table-wrap\"><table class=\"table table-numbers\"" +
      Attr("id", t.id + "-numbers") + "><caption class=\"visually-hidden\">" + XmlEscape(t.title) +
      "</caption><thead><tr><th scope=\"col\">Date (UTC)</th>";
  for (const Series* s : series) out += "<th scope=\"col\">" + XmlEscape(s->name) + "</th>";
  out += "</tr></thead><tbody>";
  for (size_t k = dates.size(); k-- > 0;) {
    out += "<tr><td class=\"cell-date\" data-label=\"Date\">" + XmlEscape(dates[k]);
    if (k + 1 == dates.size() && !t.today_note.empty()) {
      out += " <span class=\"cell-detail\">" + XmlEscape(t.today_note) + "</span>";
    }
    out += "</td>";
    for (const Series* s : series) {
      out += "<td" + Attr("data-label", s->label.empty() ? s->name : s->label) + ">" +
             GroupedNumber(ValueAt(*s, k)) + "</td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table></div></details>";
  return out;
}

}  // namespace

// ---- The pieces ------------------------------------------------------------------------------

Axis NiceAxis(int64_t max_value) {
  if (max_value <= 0) return {4, 1};
  for (int64_t base = 1; base <= std::numeric_limits<int64_t>::max() / 50; base *= 10) {
    for (int64_t m : {1, 2, 5}) {
      const int64_t step = base * m;
      const int64_t intervals = max_value / step + (max_value % step != 0 ? 1 : 0);
      if (intervals <= 5) return {std::max<int64_t>(intervals, 2) * step, step};
    }
  }
  return {max_value, max_value};  // beyond any count
}

std::vector<size_t> DateLabelIndices(size_t n, size_t max_labels) {
  if (n == 0) return {};
  if (n == 1) return {0};
  max_labels = std::max<size_t>(max_labels, 2);
  size_t step = 7;
  while ((n - 1) / step + 2 > max_labels) step += 7;
  std::vector<size_t> back;  // the last, then a step earlier each, while ≥ 0
  for (size_t i = n - 1;; i -= step) {
    back.push_back(i);
    if (i < step) break;
  }
  if (back.back() != 0) {
    if (back.size() > 1 && back.back() * 2 < step) back.pop_back();  // too close to the first
    back.push_back(0);
  }
  std::reverse(back.begin(), back.end());
  return back;
}

std::string XmlEscape(std::string_view text) {
  const std::string valid = ToValidUtf8(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out.push_back(c);
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);  // C0 controls: not XML
    }
  }
  return out;
}

std::string GroupedNumber(int64_t n) {
  const bool negative = n < 0;
  // The magnitude as unsigned: -INT64_MIN does not fit an int64_t.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(u);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

std::string CompactNumber(int64_t n) {
  const double a = std::fabs(static_cast<double>(n));
  if (a < 1000) return std::to_string(n);
  const char* suffix = "k";
  double v = static_cast<double>(n) / 1e3;
  if (a >= 1e9) {
    suffix = "B";
    v = static_cast<double>(n) / 1e9;
  } else if (a >= 1e6) {
    suffix = "M";
    v = static_cast<double>(n) / 1e6;
  }
  std::array<char, 64> buf;
  const int decimals = std::fabs(v) < 10 ? 1 : 0;
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  std::string s = ec == std::errc() ? std::string(buf.data(), end) : std::to_string(n);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s + suffix;
}

std::string Percent(int64_t part, int64_t total, int decimals) {
  if (total <= 0 || part <= 0) return "0%";
  decimals = std::clamp(decimals, 0, 3);
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(total);
  const double smallest = 0.5 * std::pow(10.0, -decimals);
  if (p < smallest) return decimals == 0 ? "<1%" : "<" + Num(2 * smallest) + "%";
  std::array<char, 64> buf;
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), p, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "0%";
  return std::string(buf.data(), end) + "%";
}

std::string ShortDate(std::string_view iso) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto digits = [&](size_t from, size_t len) {
    int v = 0;
    for (size_t i = from; i < from + len; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return -1;
      v = v * 10 + (iso[i] - '0');
    }
    return v;
  };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::string(iso);
  const int month = digits(5, 2);
  const int day = digits(8, 2);
  if (digits(0, 4) < 0 || month < 1 || month > 12 || day < 1 || day > 31) return std::string(iso);
  return std::to_string(day) + " " + kMonths[month - 1];
}

// ---- The charts --------------------------------------------------------------------------------

Chart DailyColumns(const ChartText& t, const std::vector<std::string>& dates, const Series& s) {
  const size_t n = dates.size();
  Chart c;
  const int64_t total = Total(s, n);
  c.empty = total == 0;
  if (c.empty) {
    c.summary = t.empty + ".";
  } else {
    const size_t peak = Peak(n, [&](size_t i) { return ValueAt(s, i); });
    c.summary = GroupedNumber(total) + " " + t.noun + " in " + Days(n) + "; most on " +
                dates[peak] + ": " + GroupedNumber(ValueAt(s, peak)) + ".";
  }
  int64_t max = 0;
  for (size_t i = 0; i < n; ++i) max = std::max(max, ValueAt(s, i));
  const DayFrame f = MakeFrame(n, max);
  c.svg = SvgOpen(t, kDayW, kDayH, c.summary) + Frame(f, dates);
  if (c.empty) {
    c.svg += EmptyText(t, (kPlotLeft + kPlotRight) / 2, (kPlotTop + kPlotBottom) / 2);
  } else {
    c.svg += "<g class=\"chart-s1\"" + Attr("fill", kFill1) + ">";
    for (size_t i = 0; i < n; ++i) {
      const int64_t v = ValueAt(s, i);
      if (v == 0) continue;
      const double h = std::max(1.0, kPlotBottom - f.Y(v));
      c.svg += Rect(f.Left(i) + f.slot * (1 - kBarShare) / 2, kPlotBottom - h, f.slot * kBarShare,
                    h, dates[i] + ": " + GroupedNumber(v) + " " + t.noun);
    }
    c.svg += "</g>";
  }
  c.svg += "</svg>";
  c.numbers = DayTable(t, dates, {&s});
  return c;
}

Chart StackedColumns(const ChartText& t, const std::vector<std::string>& dates,
                     const Series& bottom, const Series& top) {
  const size_t n = dates.size();
  Chart c;
  const int64_t below = Total(bottom, n);
  const int64_t above = Total(top, n);
  auto both = [&](size_t i) { return ValueAt(bottom, i) + ValueAt(top, i); };
  c.empty = below + above == 0;
  if (c.empty) {
    c.summary = t.empty + ".";
  } else {
    const size_t peak = Peak(n, both);
    const std::string top_name = LowerFirst(top.name);
    c.summary = GroupedNumber(below) + " " + t.noun + " in " + Days(n) + ", and " +
                GroupedNumber(above) + " " + top_name + "; most on " + dates[peak] + ": " +
                GroupedNumber(ValueAt(bottom, peak)) + ", and " +
                GroupedNumber(ValueAt(top, peak)) + " " + top_name + ".";
  }
  int64_t max = 0;
  for (size_t i = 0; i < n; ++i) max = std::max(max, both(i));
  const DayFrame f = MakeFrame(n, max);
  c.svg = SvgOpen(t, kDayW, kDayH, c.summary) + Frame(f, dates);
  if (c.empty) {
    c.svg += EmptyText(t, (kPlotLeft + kPlotRight) / 2, (kPlotTop + kPlotBottom) / 2);
  } else {
    std::string lower = "<g class=\"chart-s1\"" + Attr("fill", kFill1) + ">";
    std::string upper = "<g class=\"chart-s2\"" + Attr("fill", kFill2) + ">";
    for (size_t i = 0; i < n; ++i) {
      const int64_t b = ValueAt(bottom, i);
      const int64_t u = ValueAt(top, i);
      if (b + u == 0) continue;
      const std::string tip = dates[i] + ": " + GroupedNumber(b) + " " + LowerFirst(bottom.name) +
                              ", " + GroupedNumber(u) + " " + LowerFirst(top.name);
      const double x = f.Left(i) + f.slot * (1 - kBarShare) / 2;
      const double w = f.slot * kBarShare;
      const double hb = b > 0 ? std::max(1.0, kPlotBottom - f.Y(b)) : 0;
      const double hu = u > 0 ? std::max(1.0, kPlotBottom - f.Y(u)) : 0;
      // A hairline of the card between the two parts: their colours differ in hue more than
      // in lightness.
      const double gap = b > 0 ? 1 : 0;
      if (b > 0) lower += Rect(x, kPlotBottom - hb, w, hb, tip);
      if (u > 0) upper += Rect(x, kPlotBottom - hb - gap - hu, w, hu, tip);
    }
    c.svg += lower + "</g>" + upper + "</g>";
    c.legend = "<ul class=\"chart-legend\">" + LegendItem(bottom.name, Swatch("chart-s1", kFill1)) +
               LegendItem(top.name, Swatch("chart-s2", kFill2)) + "</ul>";
  }
  c.svg += "</svg>";
  c.numbers = DayTable(t, dates, {&bottom, &top});
  return c;
}

Chart Lines(const ChartText& t, const std::vector<std::string>& dates, const Series& first,
            const Series& second) {
  const size_t n = dates.size();
  Chart c;
  int64_t max = 0;
  for (size_t i = 0; i < n; ++i) max = std::max({max, ValueAt(first, i), ValueAt(second, i)});
  c.empty = max == 0;
  if (c.empty) {
    c.summary = t.empty + ".";
  } else {
    auto said = [&](const Series& s, bool capital) {
      const size_t peak = Peak(n, [&](size_t i) { return ValueAt(s, i); });
      return (capital ? s.name : LowerFirst(s.name)) + ": " + GroupedNumber(ValueAt(s, n - 1)) +
             " on " + dates[n - 1] + ", at most " + GroupedNumber(ValueAt(s, peak)) + " (on " +
             dates[peak] + ")";
    };
    c.summary = said(first, true) + "; " + said(second, false) + ".";
  }
  const DayFrame f = MakeFrame(n, max);
  c.svg = SvgOpen(t, kDayW, kDayH, c.summary) + Frame(f, dates);
  if (c.empty) {
    c.svg += EmptyText(t, (kPlotLeft + kPlotRight) / 2, (kPlotTop + kPlotBottom) / 2);
  } else {
    // Hover targets: a day's numbers as a tooltip over its whole slot.
    c.svg += "<g class=\"chart-hover\" fill=\"#000\" fill-opacity=\"0\">";
    for (size_t i = 0; i < n; ++i) {
      c.svg +=
          Rect(f.Left(i), kPlotTop, f.slot, kPlotBottom - kPlotTop,
               dates[i] + ": " + LowerFirst(first.name) + " " + GroupedNumber(ValueAt(first, i)) +
                   ", " + LowerFirst(second.name) + " " + GroupedNumber(ValueAt(second, i)));
    }
    c.svg += "</g>";
    auto line = [&](const Series& s, std::string_view cls, std::string_view dot_cls,
                    std::string_view stroke, bool dashed) {
      std::string points;
      for (size_t i = 0; i < n; ++i) {
        if (i) points += ' ';
        points += Num(f.Center(i)) + "," + Num(f.Y(ValueAt(s, i)));
      }
      std::string out = "<polyline class=\"" + std::string(cls) + "\"" + Attr("stroke", stroke) +
                        " fill=\"none\" stroke-width=\"2.5\" stroke-linejoin=\"round\""
                        " stroke-linecap=\"round\" vector-effect=\"non-scaling-stroke\"" +
                        (dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + points +
                        "\"/>";
      out += "<circle class=\"" + std::string(dot_cls) + "\"" + Attr("fill", stroke) + " cx=\"" +
             Num(f.Center(n - 1)) + "\" cy=\"" + Num(f.Y(ValueAt(s, n - 1))) + "\" r=\"3.5\"/>";
      return out;
    };
    c.svg += line(second, "chart-line-2", "chart-dot-2", kLine2, true);
    c.svg += line(first, "chart-line-1", "chart-dot-1", kFill1, false);
    c.legend = "<ul class=\"chart-legend\">" +
               LegendItem(first.name, LineKey("chart-line-1", kFill1, false)) +
               LegendItem(second.name, LineKey("chart-line-2", kLine2, true)) + "</ul>";
  }
  c.svg += "</svg>";
  c.numbers = DayTable(t, dates, {&first, &second});
  return c;
}

Chart Breakdown(const ChartText& t, const std::vector<std::pair<std::string, int64_t>>& items,
                std::string_view item_column, std::string_view count_column) {
  Chart c;
  int64_t total = 0;
  for (const auto& [name, n] : items) total += std::max<int64_t>(n, 0);
  c.empty = total == 0;
  // The bars: the largest (as given), the rest as one "Other".
  std::vector<std::pair<std::string, int64_t>> bars;
  for (const auto& [name, n] : items) {
    if (n <= 0) continue;
    bars.emplace_back(name, n);
  }
  if (bars.size() > kBreakdownBars) {
    int64_t rest = 0;
    for (size_t i = kBreakdownBars - 1; i < bars.size(); ++i) rest += bars[i].second;
    const size_t folded = bars.size() - (kBreakdownBars - 1);
    bars.resize(kBreakdownBars - 1);
    bars.emplace_back("Other (" + std::to_string(folded) + ")", rest);
  }
  if (c.empty) {
    c.summary = t.empty + ".";
  } else {
    c.summary = GroupedNumber(total) + " " + t.noun + ": ";
    for (size_t i = 0; i < bars.size() && i < kSummaryItems; ++i) {
      if (i) c.summary += ", ";
      c.summary += bars[i].first + " " + GroupedNumber(bars[i].second) + " (" +
                   Percent(bars[i].second, total) + ")";
    }
    if (bars.size() > kSummaryItems) {
      c.summary += " and " + std::to_string(bars.size() - kSummaryItems) + " more";
    }
    c.summary += ".";
  }
  const double h = c.empty ? 64 : 4 + kRowH * static_cast<double>(bars.size());
  c.svg = SvgOpen(t, kBreakdownW, h, c.summary);
  if (c.empty) {
    c.svg += EmptyText(t, kBreakdownW / 2, h / 2);
  } else {
    std::string labels = "<g class=\"chart-labels\"" + Attr("fill", kText) + " font-size=\"13\">";
    std::string track = "<g class=\"chart-track\"" + Attr("fill", kTrack) + ">";
    std::string fill = "<g class=\"chart-s1\"" + Attr("fill", kFill1) + ">";
    for (size_t i = 0; i < bars.size(); ++i) {
      const auto& [name, n] = bars[i];
      const double y = 4 + kRowH * static_cast<double>(i);
      const std::string share = Percent(n, total);
      labels += "<text class=\"chart-label\" x=\"0\" y=\"" + Num(y + 16) + "\">" +
                XmlEscape(Cut(name, kLabelChars)) + "</text>";
      labels += "<text class=\"chart-value\" x=\"" + Num(kBreakdownW) + "\" y=\"" + Num(y + 16) +
                "\" text-anchor=\"end\">" + GroupedNumber(n) + " · " + XmlEscape(share) + "</text>";
      track += "<rect x=\"0\" y=\"" + Num(y + 22) + "\" width=\"" + Num(kBreakdownW) +
               "\" height=\"14\" rx=\"3\"/>";
      const double w =
          std::max(2.0, kBreakdownW * static_cast<double>(n) / static_cast<double>(total));
      fill += "<rect x=\"0\" y=\"" + Num(y + 22) + "\" width=\"" + Num(w) +
              "\" height=\"14\" rx=\"3\"><title>" +
              XmlEscape(name + ": " + GroupedNumber(n) + " " + t.noun + " (" + share + ")") +
              "</title></rect>";
    }
    c.svg += labels + "</g>" + track + "</g>" + fill + "</g>";
  }
  c.svg += "</svg>";
  if (!c.empty) {
    c.numbers =
        "<details class=\"chart-numbers\"><summary>Show the numbers"
        "<span class=\"visually-hidden\">: " +
        XmlEscape(t.title) +
        "</span></summary>"
        "<div class=\"table-wrap\"><table class=\"table table-numbers\"" +
        Attr("id", t.id + "-numbers") + "><caption class=\"visually-hidden\">" +
        XmlEscape(t.title) + "</caption><thead><tr><th scope=\"col\">" + XmlEscape(item_column) +
        "</th><th scope=\"col\">" + XmlEscape(count_column) +
        "</th><th scope=\"col\">Share</th></tr></thead><tbody>";
    for (const auto& [name, n] : items) {
      if (n <= 0) continue;
      c.numbers += "<tr><td" + Attr("data-label", item_column) + " class=\"break-anywhere\">" +
                   XmlEscape(name) + "</td><td" + Attr("data-label", count_column) + ">" +
                   GroupedNumber(n) + "</td><td data-label=\"Share\">" +
                   XmlEscape(Percent(n, total)) + "</td></tr>";
    }
    c.numbers += "</tbody></table></div></details>";
  }
  return c;
}

}  // namespace tessera::web::charts
