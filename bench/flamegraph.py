#!/usr/bin/env python3
"""Flame graphs and "top" tables from `perf script` output (standard library only).

bench/profile.sh profiles a running tessera server and feeds the result through this script:

    perf record -F 999 --call-graph dwarf -p "$PID" -o perf.data -- sleep 30
    perf script -i perf.data | python3 bench/flamegraph.py fold > out.folded
    python3 bench/flamegraph.py svg --title "refresh (SQLite)" < out.folded > out.svg
    python3 bench/flamegraph.py top --n 25 --min-percent 1.0 < out.folded

fold: perf script text -> folded stacks, "thread;root;...;leaf COUNT" per line, C++ names
shortened (template and parameter lists dropped, lambdas shown as {lambda}).
svg: folded -> self-contained SVG flame graph (no JavaScript; hover a box for details).
top: folded -> Markdown table "| frame | total % | self % |".  selftest: checks fold/shorten.
Counts are samples, not periods: at a fixed -F frequency each sample is the same CPU slice.
"""
import argparse, collections, functools, hashlib, itertools, os, re, sys, xml.dom.minidom
from xml.sax.saxutils import escape

# "comm pid[/tid] [cpu] secs.usecs:" -- comm may contain spaces, so anchor on the pid.
HEADER_RE = re.compile(r'^(\S.*?)\s+\d+(?:/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:')
OFFSET_RE = re.compile(r'\+0x[0-9a-fA-F]+(?:/0x[0-9a-fA-F]+)?$')
HEX_RE = re.compile(r'[0-9a-fA-F]+')
# The DSO is the last " (...)" group, which may nest once: "(/x.so (deleted))". Symbols have
# parens too ("std::function<int (int)>"); the greedy symbol group leaves them alone.
DSO_RE = re.compile(r'^(.*)\s\(((?:[^()]|\([^()]*\))*)\)$')
# Tokens whose brackets are not template/parameter lists: operator(), operator<, operator<<,
# operator-> ..., "operator new" and conversion operators (keep the next word), and namespaces.
KEEP_RE = re.compile(r'(?<!\w)operator(?:\s*(?:\(\)|\[\]|<=>|<<=|>>=|->\*|->|<<|>>|&&|\|\||'
                     r'\+\+|--|[-+*/%^&|~!=<>,]=?)|\s+[A-Za-z_][\w:]*)|\(anonymous namespace\)')
ABI_RE = re.compile(r'\[abi:[^\]]*\]')
# cv/ref qualifiers that were attached to a parameter list we dropped: "f() const::g".
QUALIFIER_RE = re.compile(r'\s+(?:const|volatile|noexcept|&&|&)(?=$|::|\s)')
ROW, PAD, TOP, BOTTOM, CHAR_PX = 16, 10, 44, 8, 7  # SVG layout in pixels


def _matching_close(name, i):
    """Index just past the bracket group starting at name[i] (any of <({ nest)."""
    depth = 0
    for j in range(i, len(name)):
        depth += (name[j] in '<({') - (name[j] in '>)}')
        if depth == 0:
            return j + 1
    return len(name)


@functools.lru_cache(maxsize=None)
def shorten(name):
    """Drop <template args> and (parameters) from a demangled C++ name."""
    out, depth, i = [], 0, 0
    while i < len(name):
        c = name[i]
        m = KEEP_RE.match(name, i) if c in 'o(' else None
        if m:
            if depth == 0:
                out.append(m.group(0))
            i = m.end()
            continue
        if name.startswith(('{lambda', '<lambda'), i):  # symbol-table / DWARF spelling
            if depth == 0:
                out.append('{lambda}')
            i = _matching_close(name, i)
            continue
        if c in '<(':
            depth += 1
        elif c in '>)':
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(c)
        i += 1
    short = QUALIFIER_RE.sub('', ABI_RE.sub('', ''.join(out)))
    return ' '.join(short.split()) or name


def parse_frame(line):
    """One callchain line, '<addr> <symbol>+0x<off> (<dso>)', to a frame name."""
    parts = line.split(None, 1)
    if parts and HEX_RE.fullmatch(parts[0]):
        parts = parts[1:]  # drop the address (absent with some -F field lists)
    rest = parts[0].strip() if parts else ''
    m = DSO_RE.match(rest)
    sym, dso = m.groups() if m else (rest, '')
    sym = OFFSET_RE.sub('', sym)
    if not sym or sym == '[unknown]':
        if dso in ('', 'unknown', '[unknown]', 'inlined'):
            return '[unknown]'
        return '[%s]' % os.path.basename(dso.strip('[]'))
    return shorten(sym).replace(';', ':')  # ';' separates frames in folded output


def fold(lines):
    """perf script text -> sorted "comm;root;...;leaf COUNT" lines, one per distinct stack."""
    counts, stack = collections.Counter(), []  # stack: [comm, leaf, ..., root] of the open sample
    for line in itertools.chain(lines, ['']):  # the extra '' ends the last sample
        if line[:1] in (' ', '\t') and line.strip():
            if stack:
                stack.append(parse_frame(line))
            continue
        if stack:  # a blank line or the next header ends a sample; perf prints leaf first
            counts[';'.join(stack[:1] + stack[:0:-1])] += 1
        stack = []
        if line.strip() and not line.startswith('#'):
            m = HEADER_RE.match(line)
            stack = [(m.group(1) if m else line.split()[0]).replace(';', ':')]
    return ['%s %d' % item for item in sorted(counts.items())]


def read_folded(lines):
    for line in lines:
        stack, _, count = line.strip().rpartition(' ')  # frames may contain spaces
        if stack and count.isdigit():
            yield stack.split(';'), int(count)


def build_tree(folded):
    """Merge stacks into a tree of [samples, {child name: node}]; equal prefixes share a box."""
    root = [0, {}]
    for frames, n in folded:
        node = root
        node[0] += n
        for f in frames:
            node = node[1].setdefault(f, [0, {}])
            node[0] += n
    return root


def colour(name):
    # md5, not hash(): must be stable across runs so a function keeps its colour.
    d = hashlib.md5(name.encode(), usedforsecurity=False).digest()
    return 'rgb(%d,%d,%d)' % (205 + d[0] % 51, 70 + d[1] % 161, d[2] % 56)


def xml_text(s):  # control characters are not allowed in XML 1.0 at all
    return escape(re.sub(r'[\x00-\x08\x0b\x0c\x0e-\x1f]', '?', s), {'"': '&quot;'})


def fit_label(name, width_px):
    chars = int((width_px - 6) / CHAR_PX)  # ~7px per char at 11px, 3px padding each side
    return '' if chars < 3 else name if len(name) <= chars else name[:chars - 2] + '..'


def render_svg(folded, title, width=1200):
    root = build_tree(folded)
    total = root[0]
    scale = (width - 2 * PAD) / total
    min_value = 0.001 * width / scale  # omit boxes narrower than 0.1% of the width
    boxes, todo = [], [('all', root, 0, 0)]  # explicit stack: deep stacks, no recursion limit
    while todo:
        name, node, depth, start = todo.pop()
        boxes.append((name, node[0], depth, start))
        for kid_name in sorted(node[1]):  # alphabetical, like the classic flame graph
            kid = node[1][kid_name]
            if kid[0] >= min_value:
                todo.append((kid_name, kid, depth + 1, start))
            start += kid[0]
    height = TOP + (max(b[2] for b in boxes) + 1) * ROW + BOTTOM
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
           % (width, height, width, height),
           '<style>text{font-family:monospace;font-size:11px;fill:#000;pointer-events:none}'
           ' .title{font-size:17px} .sub{fill:#555}</style>',
           '<rect width="100%" height="100%" fill="#f8f8f0"/>',
           '<text class="title" x="%d" y="22" text-anchor="middle">%s</text>'
           % (width // 2, xml_text(title)),
           '<text class="sub" x="%d" y="38" text-anchor="middle">%d samples; frames under'
           ' 0.1%% of the width omitted; hover a box for details</text>' % (width // 2, total)]
    for name, value, depth, start in boxes:
        x, w = PAD + start * scale, value * scale
        y = height - BOTTOM - (depth + 1) * ROW  # root row at the bottom
        tip = '%s (%d samples, %.2f%%)' % (name, value, 100.0 * value / total)
        out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" rx="2" fill="%s">'
                   '<title>%s</title></rect>' % (x, y, w, ROW - 1, colour(name), xml_text(tip)))
        label = fit_label(name, w)
        if label:
            out.append('<text x="%.2f" y="%d">%s</text>' % (x + 3, y + 11, xml_text(label)))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def top_table(folded, n=25, min_percent=1.0, sort='total'):
    total, incl, self_ = 0, collections.Counter(), collections.Counter()
    for frames, count in folded:
        total += count
        funcs = frames[1:]  # frames[0] is the thread name, always ~100%: not useful
        for f in set(funcs):  # set(): a recursive frame counts once per stack
            incl[f] += count
        if funcs:
            self_[funcs[-1]] += count
    rows = [(f, 100.0 * incl[f] / total, 100.0 * self_[f] / total) for f in incl]
    key = 1 if sort == 'total' else 2
    rows = sorted((r for r in rows if r[key] >= min_percent),
                  key=lambda r: (-r[key], -r[3 - key], r[0]))
    lines = ['| frame | total % | self % |', '|---|---:|---:|']
    for f, t, s in rows[:n]:
        lines.append('| %s | %.1f | %.1f |' % (f.replace('|', '\\|'), t, s))
    return lines, total


# Two hand-written samples: "tessera io" checks a comm with a space, a tid and a cpu field.
SAMPLE = """\
tessera  5710 12345.678901:    2004008 cpu-clock:ppp:
\t  11d443 sqlite3VdbeExec+0x13 (/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6)
\t  195f5a [unknown] (/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6)
\t  2a0000 sqlite3_step+0x20 (/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6)
\t   e0428 std::function<int (int)>::operator()(int) const+0x8 (inlined)
\t   dffa6 tessera::store::sql::SqlStore::RotateRefreshToken(std::basic_string_view<char,\
 std::char_traits<char> >, long)::{lambda(SqlConnection&)#1}::operator()+0x126 (/work/tessera)
\t  41a1a8 boost::asio::detail::scheduler::run(boost::system::error_code&)+0xe8 (/work/tessera)
\t   891f4 start_thread+0x304 (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t  1098eb clone3+0x2b (/usr/lib/x86_64-linux-gnu/libc.so.6)

tessera io 5711/5712 [001] 12345.679902:     250000 cycles:
\t    ffffffff8100 do_syscall_64+0x5e ([kernel.kallsyms])
\t          7f00aa [unknown] ([unknown])
\t            1234 tessera::store::sql::(anonymous namespace)::Conn::Run[abi:cxx11]+0x1 (/w/tessera)
"""
EXPECTED_FOLDED = [
    'tessera io;tessera::store::sql::(anonymous namespace)::Conn::Run;[unknown];do_syscall_64 1',
    'tessera;clone3;start_thread;boost::asio::detail::scheduler::run;'
    'tessera::store::sql::SqlStore::RotateRefreshToken::{lambda}::operator();'
    'std::function::operator();sqlite3_step;[libsqlite3.so.0.8.6];sqlite3VdbeExec 1',
]
SHORTEN_CASES = {
    'std::function<int (int)>::operator()(int) const': 'std::function::operator()',
    'boost::asio::detail::scheduler::run(boost::system::error_code&)':
        'boost::asio::detail::scheduler::run',
    'std::operator<< <std::char_traits<char> >(std::ostream&, char const*)': 'std::operator<<',
    'std::vector<int, std::allocator<int> >::operator[](unsigned long)': 'std::vector::operator[]',
    'Foo<Bar>::operator->() const': 'Foo::operator->',
    'operator new(unsigned long)': 'operator new',
    'a::Mount(R&)::{lambda(int (A::*)(B&))#1}::operator()(int (A::*)(B&)) const::{lambda(B&)#1}':
        'a::Mount::{lambda}::operator()::{lambda}',
    '__invoke_r<S, X::Rows(std::string_view)::<lambda(C&)>&, C&>': '__invoke_r',
    'x::<lambda(const App&)>::operator()<int>': 'x::{lambda}::operator()',
}


def selftest():
    for raw, want in SHORTEN_CASES.items():
        got = shorten(raw)
        assert got == want, 'shorten(%r) = %r, want %r' % (raw, got, want)
    folded = fold(SAMPLE.splitlines(True))
    assert folded == EXPECTED_FOLDED, 'fold gave:\n' + '\n'.join(folded)
    stacks = list(read_folded(folded))
    xml.dom.minidom.parseString(render_svg(stacks, 'self <test> & "quotes"'))
    table, total = top_table(stacks, n=50)
    assert total == 2 and '| sqlite3_step | 50.0 | 0.0 |' in table, '\n'.join(table)
    print('selftest ok: %d shorten cases, fold, svg, top' % len(SHORTEN_CASES))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('fold', help='perf script text on stdin -> folded stacks')
    p_svg = sub.add_parser('svg', help='folded stacks on stdin -> SVG flame graph')
    p_svg.add_argument('--title', default='Flame Graph')
    p_svg.add_argument('--width', type=int, default=1200)
    p_top = sub.add_parser('top', help='folded stacks on stdin -> Markdown table')
    p_top.add_argument('--n', type=int, default=25, help='maximum rows (default 25)')
    p_top.add_argument('--min-percent', type=float, default=1.0, help='hide rows under X%%')
    p_top.add_argument('--sort', choices=('total', 'self'), default='total')
    sub.add_parser('selftest', help='check folding and name shortening')
    args = parser.parse_args(argv)
    if args.cmd == 'selftest':
        return selftest()
    sys.stdin.reconfigure(errors='replace')  # perf may print undecodable symbol bytes
    if args.cmd == 'fold':
        sys.stdout.writelines(line + '\n' for line in fold(sys.stdin))
        return 0
    stacks = list(read_folded(sys.stdin))
    if not stacks:
        print('flamegraph.py: no samples on stdin', file=sys.stderr)
        return 1  # an empty profile nearly always means a broken pipeline upstream
    if args.cmd == 'svg':
        sys.stdout.write(render_svg(stacks, args.title, args.width))
    else:
        table, total = top_table(stacks, args.n, args.min_percent, args.sort)
        print('\n'.join(table))
        print('(%d samples)' % total, file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
