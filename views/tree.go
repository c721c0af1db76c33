package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// TopicsPane is the topic tree of any broker: every topic by its '/'
// segments with its topic count, messages, rate, bytes, age, a retained
// mark and the last payload. Its view state (expanded nodes, order,
// filter, selection) is its own, so sessions share one tree.
type TopicsPane struct {
	list
	tree    *topics.Tree
	now     func() time.Time
	lst     *topics.Lister
	hex     bool
	sel     *topics.Node
	selPath string         // to find the selection again should its node go
	rows    []*topics.Node // the window drawn, not every row
	rateBuf []float64
	cols    treeCols
	at      time.Time // the clock of the frame being drawn

	plotTopic, plotField string // the field plotted for this topic, shown in the detail
}

// SetPlot makes the detail of topic show the chart of field.
func (p *TopicsPane) SetPlot(topic, field string) { p.plotTopic, p.plotField = topic, field }

// NewTopicsPane draws tree; now is the store's clock (ages, rates).
func NewTopicsPane(st themes.Styles, keys Keys, tree *topics.Tree, now func() time.Time) *TopicsPane {
	p := &TopicsPane{tree: tree, now: now, lst: topics.NewLister(tree)}
	p.list = newList(st, keys, TopicsTitle, "part of a topic, or p:text in the last payloads", p)
	return p
}

// TopicsTitle is the pane's title (its key and name).
const TopicsTitle = "8 Topics"

// ShortHelp is the footer while the pane has focus.
func (p *TopicsPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Expand, p.keys.ExpandAll, p.keys.Enter, p.keys.Filter, p.keys.Order, p.keys.ClearRetained}
}

// FullHelp lists the pane's keys.
func (p *TopicsPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Expand, p.keys.Collapse, p.keys.ExpandAll, p.keys.Enter,
		p.keys.Filter, p.keys.Order, p.keys.Hex, p.keys.ClearRetained, p.keys.CopyTopic, p.keys.CopyPayload, p.keys.Plot}}
}

// Selected is the selected node, nil when the tree is empty.
func (p *TopicsPane) Selected() *topics.Node {
	p.sync()
	return p.sel
}

// Selection is the selected topic for the detail pane.
func (p *TopicsPane) Selection() Subject {
	p.sync()
	if p.sel == nil {
		return Subject{}
	}
	s := Subject{Kind: SubjectTopic, Topic: p.sel.Path()}
	if s.Topic == p.plotTopic {
		s.Field = p.plotField
	}
	return s
}

// View draws the pane; the lister reads a chunk of the next order by
// figures first (once a frame).
func (p *TopicsPane) View() string {
	p.lst.Advance(p.now())
	return p.list.View()
}

// AppendView appends what View returns to dst.
func (p *TopicsPane) AppendView(dst []byte) []byte {
	p.lst.Advance(p.now())
	return p.appendView(dst)
}

// paneKey handles the tree's own keys: order, hex, expand and collapse.
func (p *TopicsPane) paneKey(m tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(m, p.keys.Order):
		p.lst.SetOrder(p.lst.Order().Next())
	case key.Matches(m, p.keys.Hex):
		p.hex = !p.hex
	case key.Matches(m, p.keys.Expand):
		if p.sel != nil {
			p.lst.SetExpanded(p.sel, true)
		}
	case key.Matches(m, p.keys.ExpandAll):
		if p.sel != nil {
			p.lst.ExpandAll(p.sel)
		}
	case key.Matches(m, p.keys.Collapse):
		switch {
		case p.sel == nil:
		case p.sel.Kids() > 0 && p.lst.Expanded(p.sel) && p.lst.Filter() == "":
			p.lst.SetExpanded(p.sel, false)
		case p.sel.Depth() > 1:
			p.setSel(p.sel.Parent()) // ← on a closed node goes to its parent
		}
	}
	p.sync()
	return nil
}

// filterChanged: another set of rows; the selection starts again at the top.
func (p *TopicsPane) filterChanged() { p.sel = nil }

func (p *TopicsPane) setSel(n *topics.Node) {
	p.sel = n
	if n != nil {
		p.selPath = n.Path()
	}
}

func (p *TopicsPane) selectRow(i int) {
	if n := p.lst.At(p.now(), i); n != nil {
		p.setSel(n)
	}
}

// syncRows counts the lister's rows and puts the cursor back on the
// selected node wherever it moved; it costs O(depth · log n), not a pass
// over the rows.
func (p *TopicsPane) syncRows() {
	now := p.now()
	p.lst.SetFilter(p.filter.value)
	p.lst.SetFrozen(p.paused)
	p.cur.total = p.lst.Len(now)
	if p.sel != nil && p.sel.Gone() {
		p.sel = p.tree.Find(p.selPath)
	}
	if p.sel != nil {
		if i := p.lst.Index(now, p.sel); i >= 0 {
			p.cur.pos = i
		}
	}
	p.cur.clamp()
	if p.cur.total > 0 {
		if n := p.lst.At(now, p.cur.pos); n != nil && n != p.sel {
			p.setSel(n)
		}
	}
}

// treeCols are the column widths for an inner width.
type treeCols struct {
	name, topics, msgs, bytes, spark, age, payload int
}

func treeColumns(inner int) treeCols {
	c := treeCols{topics: 5, msgs: 6, spark: 6, age: 4}
	if inner >= 64 {
		c.bytes, c.spark = 6, 8
	}
	// Every cell after the name, each with its separating space.
	fixed := 2 + 1 + c.topics + 1 + c.msgs + 1 + c.spark + 1 + c.age
	if c.bytes > 0 {
		fixed += 1 + c.bytes
	}
	c.name = inner - fixed
	if inner >= 80 {
		c.name = min(max(inner*2/5, 24), 48)
		c.payload = inner - fixed - c.name - 1
		if c.payload < 8 {
			c.name += c.payload + 1
			c.payload = 0
		}
	}
	c.name = max(c.name, 4)
	return c
}

// count is a compact figure: 999, 12k, 3.4M.
func count(n uint64) string { return string(appendCount(nil, n)) }

// appendCount appends count(n).
func appendCount(b []byte, n uint64) []byte {
	switch {
	case n < 10_000:
		return strconv.AppendUint(b, n, 10)
	case n < 1_000_000:
		return append(strconv.AppendUint(b, n/1000, 10), 'k')
	case n < 10_000_000:
		return append(strconv.AppendFloat(b, float64(n)/1e6, 'f', 1, 64), 'M')
	}
	return append(strconv.AppendUint(b, n/1_000_000, 10), 'M')
}

// byteSize is a compact size: 512B, 12K, 3.4M.
func byteSize(n uint64) string { return string(appendByteSize(nil, n)) }

// appendByteSize appends byteSize(n).
func appendByteSize(b []byte, n uint64) []byte {
	switch {
	case n < 1024:
		return append(strconv.AppendUint(b, n, 10), 'B')
	case n < 1024*1024:
		return append(strconv.AppendUint(b, n/1024, 10), 'K')
	case n < 10*1024*1024:
		return append(strconv.AppendFloat(b, float64(n)/(1024*1024), 'f', 1, 64), 'M')
	case n < 1024*1024*1024:
		return append(strconv.AppendUint(b, n/(1024*1024), 10), 'M')
	}
	return append(strconv.AppendFloat(b, float64(n)/(1024*1024*1024), 'f', 1, 64), 'G')
}

// segmentName is a segment as shown: empty segments are visible.
func segmentName(st themes.Styles, s string, sel bool) (string, int) {
	if s == "" {
		return paintIf(st.Subtle, "∅", sel), 1
	}
	s = safe(s)
	return s, width(s)
}

// PayloadSummary is one line of a payload: text with its whitespace
// collapsed, or a hex head for binary (and when hex is on).
func PayloadSummary(b []byte, hex bool, w int) string {
	if w <= 0 {
		return ""
	}
	if len(b) == 0 {
		return ""
	}
	if hex || !utf8.Valid(b) {
		var sb strings.Builder
		for i := 0; i < len(b) && sb.Len() < w; i++ {
			fmt.Fprintf(&sb, "%02x", b[i])
			if i+1 < len(b) {
				sb.WriteByte(' ')
			}
		}
		return trunc(sb.String(), w)
	}
	head := b[:min(len(b), w*4)]
	s := strings.Join(strings.Fields(string(head)), " ")
	return trunc(safe(s), w)
}

// appendPayloadSummary appends PayloadSummary(b, hex, w) and says how
// many cells it is. A head of printable ASCII and ASCII blanks (most
// payloads: JSON, text) is collapsed in place; anything else, and hex,
// goes through PayloadSummary.
func appendPayloadSummary(dst, b []byte, hex bool, w int) ([]byte, int) {
	if w <= 0 || hex {
		s := PayloadSummary(b, hex, w)
		return append(dst, s...), width(s)
	}
	head := b[:min(len(b), w*4)]
	if !asciiText(head) || !utf8.Valid(b) {
		s := PayloadSummary(b, hex, w)
		return append(dst, s...), width(s)
	}
	// strings.Fields, then strings.Join with " "
	start := len(dst)
	word := false
	for _, c := range head {
		if asciiBlank(c) {
			word = false
			continue
		}
		if !word && len(dst) > start {
			dst = append(dst, ' ')
		}
		word = true
		dst = append(dst, c)
	}
	// trunc of printable ASCII: cut to w-1 and an ellipsis.
	if len(dst)-start > w {
		return append(dst[:start+w-1], ellipsis...), w
	}
	return dst, len(dst) - start
}

// asciiText reports whether b is printable ASCII and ASCII blanks only,
// where collapsing the blanks leaves text safe and one cell a byte.
func asciiText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && !asciiBlank(c) {
			return false
		}
	}
	return true
}

// asciiBlank is unicode.IsSpace for ASCII, what strings.Fields splits on.
func asciiBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// appendTopicRow appends one node's row to b. A pure function of its
// arguments.
func appendTopicRow(b []byte, st themes.Styles, c treeCols, inner int, n *topics.Node, open, hex bool, now time.Time, rate []float64, selected bool) []byte {
	indent := 2 * (n.Depth() - 1)
	mark := " "
	if n.Kids() > 0 {
		mark = "▸"
		if open {
			mark = "▾"
		}
	}
	name, nw := segmentName(st, n.Name(), selected)
	r := newRow(b)
	if have := indent + 2 + nw; have <= c.name {
		r.open(themes.Paint{}, c.name)
		r.b = appendSpaces(r.b, indent)
		r.b = append(append(append(r.b, mark...), ' '), name...)
		r.b = appendSpaces(r.b, c.name-have)
	} else {
		r.cell(fit(spaces(indent)+mark+" "+name, c.name), c.name)
	}
	ret := " "
	tp := n.Topic()
	switch {
	case tp == nil || !tp.Retained:
	case tp.RetainedOlder:
		// Retained at subscribe, live messages since: the broker's
		// copy may not be the last payload.
		ret = paintIf(st.Subtle, "r", selected)
	default:
		ret = paintIf(st.Accent, "R", selected)
	}
	r.cell(ret, 1)
	var tmp [24]byte
	r.rightBytes(themes.Paint{}, appendCount(tmp[:0], uint64(n.Topics())), c.topics)
	r.rightBytes(themes.Paint{}, appendCount(tmp[:0], n.Msgs()), c.msgs)
	if c.bytes > 0 {
		r.rightBytes(themes.Paint{}, appendByteSize(tmp[:0], n.Bytes()), c.bytes)
	}
	r.sparkCell(pick(st.Spark, selected), rate, c.spark)
	r.ageCell(themes.Paint{}, now, n.Last(), c.age)
	if c.payload > 0 {
		s := ""
		if tp != nil {
			if e, ok := tp.LastEntry(); ok {
				switch {
				case e.Redacted:
					s = "‹redacted›"
				case e.Dropped:
					s = "‹dropped: memory budget›"
				case e.Size == 0:
					s = paintIf(st.Subtle, "‹empty›", selected)
				default:
					r.open(themes.Paint{}, c.payload)
					at := len(r.b)
					var have int
					if r.b, have = appendPayloadSummary(r.b, e.Payload, hex, c.payload); have <= c.payload {
						r.b = appendSpaces(r.b, c.payload-have)
					} else { // wider than asked: cut as any cell is
						r.b = append(r.b[:at], fit(string(r.b[at:]), c.payload)...)
					}
					return r.line(inner)
				}
			}
		}
		if have := width(s); have <= c.payload {
			r.open(themes.Paint{}, c.payload)
			r.b = appendSpaces(append(r.b, s...), c.payload-have)
		} else {
			r.cell(fit(s, c.payload), c.payload)
		}
	}
	return r.line(inner)
}

// head lays out the columns and appends the header line.
func (p *TopicsPane) head(b []byte, inner int) []byte {
	c := treeColumns(inner)
	p.cols = c
	p.at = p.now()
	r := newRow(b)
	r.fitCell(themes.Paint{}, "topic", c.name)
	r.cell(" ", 1)
	r.rightCell(themes.Paint{}, "tops", c.topics)
	r.rightCell(themes.Paint{}, "msgs", c.msgs)
	if c.bytes > 0 {
		r.rightCell(themes.Paint{}, "bytes", c.bytes)
	}
	r.fitCell(themes.Paint{}, "msg/s", c.spark)
	r.rightCell(themes.Paint{}, "age", c.age)
	if c.payload > 0 {
		r.fitCell(themes.Paint{}, "last payload", c.payload)
	}
	return r.line(inner)
}

// window loads the rows top..top+n-1 from the lister.
func (p *TopicsPane) window(top, n int) int {
	p.rows = p.lst.Window(p.at, top, n, p.rows[:0])
	return len(p.rows)
}

// row draws visible row j.
func (p *TopicsPane) row(b []byte, j, inner int, selected bool) []byte {
	n := p.rows[j]
	p.rateBuf = n.Rate(p.at, p.rateBuf[:0])
	return appendTopicRow(b, p.st, p.cols, inner, n, p.lst.Expanded(n), p.hex, p.at, p.rateBuf, selected)
}

// empty is what the tree says without rows.
func (p *TopicsPane) empty() string {
	if p.filter.value != "" {
		return "no topic matches the filter"
	}
	return "no topics yet: waiting for messages"
}

// info is the title's right side: counts, order, filter, what was evicted.
func (p *TopicsPane) info() string {
	s := p.tree.Stats()
	out := fmt.Sprintf("%d topics", s.Topics)
	if r := p.tree.Root().RetainedCount(); r > 0 {
		out += fmt.Sprintf(" · %d retained", r)
	}
	if o := p.lst.Order(); o != topics.ByName {
		out += " · by " + o.String()
	}
	if p.hex {
		out += " · hex"
	}
	out += p.filterInfo()
	if s.Evicted > 0 {
		out += fmt.Sprintf(" · %d evicted", s.Evicted)
	}
	return out
}
