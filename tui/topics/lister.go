package topics

import (
	"bytes"
	"slices"
	"strings"
	"time"
)

// Order is how a node's children are listed.
type Order uint8

// The orders, in the order the pane's key cycles them.
const (
	ByName  Order = iota // segment name
	ByRate               // messages in the last seconds, most first ("top talkers")
	ByBytes              // bytes received, most first
	ByLast               // last message, newest first
	orderCount
)

// String names the order for the pane's title.
func (o Order) String() string {
	switch o {
	case ByRate:
		return "rate"
	case ByBytes:
		return "bytes"
	case ByLast:
		return "last seen"
	}
	return "name"
}

// Next is the following order, wrapping.
func (o Order) Next() Order { return (o + 1) % orderCount }

// MaxExpandAll bounds what one "expand subtree" opens, so a key press on
// the root of a 100k-topic tree stays one frame's work.
const MaxExpandAll = 2000

// Lister is one session's view of a tree: which nodes are expanded, the
// order and the filter. It never flattens the tree: the rows are the open
// nodes' children in order, and a frame asks only for its window (Len,
// Window, Index), which costs the rows drawn plus O(log n) per open node.
// Orders by name come from the tree's sorted children; orders by figures
// are taken once a second and only the ranks a window shows are sorted.
// A Lister only reads the tree: each session owns one, and many may read
// one tree together under the tree's read lock.
type Lister struct {
	tree     *Tree
	expanded map[*Node]bool
	expVer   uint64
	order    Order
	frozen   bool
	filter   string // lower case
	filterB  []byte
	inPay    bool // the filter searches the last payloads ("p:" prefix)

	// The layout of the open nodes, rebuilt when the tree's structure,
	// the expansion, the order or (for figures) the second changes.
	built         bool
	bStruct, bExp uint64
	bSec          int64
	bOrder        Order
	open          map[*Node][]openKid // an open node's open children, by rank
	total         int

	figs map[*Node]*figOrder // orders by figures of open nodes

	// With a filter the matching rows are flattened (a filter looks at
	// every topic anyway).
	rows    []*Node
	pathBuf []byte
}

type openKid struct {
	n    *Node
	rank int // among its parent's children, in the order
	ln   int // rows below it
}

// NewLister starts a view of t with everything collapsed, by name.
func NewLister(t *Tree) *Lister {
	return &Lister{tree: t, expanded: map[*Node]bool{}, open: map[*Node][]openKid{},
		figs: map[*Node]*figOrder{}}
}

// Order is the current order.
func (l *Lister) Order() Order { return l.order }

// SetOrder changes the order of every node's children.
func (l *Lister) SetOrder(o Order) { l.order = o }

// SetFrozen stops (true) or resumes the orders by figures and the
// filtered rows following the data: the pane's pause.
func (l *Lister) SetFrozen(v bool) { l.frozen = v }

// Filter is the filter in force (lower case).
func (l *Lister) Filter() string { return l.filter }

// PayloadPrefix makes a filter search the topics' last payloads instead
// of their paths: "p:overload".
const PayloadPrefix = "p:"

// SetFilter keeps the topics whose path contains s (any case), or with
// PayloadPrefix whose last payload does, and their ancestors, all shown
// expanded.
func (l *Lister) SetFilter(s string) {
	s = strings.ToLower(s)
	if s != l.filter {
		l.filter, l.built = s, false
		l.inPay = strings.HasPrefix(s, PayloadPrefix)
		l.filterB = []byte(strings.TrimPrefix(s, PayloadPrefix))
	}
}

// Expanded reports whether n shows its children.
func (l *Lister) Expanded(n *Node) bool { return l.filter != "" || l.expanded[n] }

// SetExpanded opens or closes n.
func (l *Lister) SetExpanded(n *Node, v bool) {
	if n == nil || l.expanded[n] == v {
		return
	}
	if v {
		l.expanded[n] = true
	} else {
		delete(l.expanded, n)
	}
	l.expVer++
}

// ExpandAll opens n and its descendants, breadth first, up to MaxExpandAll
// nodes; it returns how many it opened.
func (l *Lister) ExpandAll(n *Node) int {
	if n == nil {
		return 0
	}
	queue := []*Node{n}
	opened := 0
	for len(queue) > 0 && opened < MaxExpandAll {
		x := queue[0]
		queue = queue[1:]
		if x.Kids() == 0 {
			continue
		}
		if !l.expanded[x] {
			l.expanded[x] = true
			opened++
		}
		queue = x.AppendKids(queue)
	}
	l.expVer++
	return opened
}

// Len is the number of visible rows.
func (l *Lister) Len(now time.Time) int {
	l.prepare(now.Unix())
	if l.filter != "" {
		return len(l.rows)
	}
	return l.total
}

// Window appends the visible rows top..top+n-1 to dst.
func (l *Lister) Window(now time.Time, top, n int, dst []*Node) []*Node {
	sec := now.Unix()
	l.prepare(sec)
	if top < 0 || n <= 0 {
		return dst
	}
	if l.filter != "" {
		if top >= len(l.rows) {
			return dst
		}
		return append(dst, l.rows[top:min(len(l.rows), top+n)]...)
	}
	dst, _, _ = l.walk(l.tree.root, top, n, dst, sec)
	return dst
}

// Rows returns every visible row (tests and small trees: a pane asks
// for its Window).
func (l *Lister) Rows(now time.Time) []*Node { return l.Window(now, 0, l.Len(now), nil) }

// At is visible row i, nil when out of range.
func (l *Lister) At(now time.Time, i int) *Node {
	var one [1]*Node
	if r := l.Window(now, i, 1, one[:0]); len(r) == 1 {
		return r[0]
	}
	return nil
}

// Index is n's row, -1 when n is not visible.
func (l *Lister) Index(now time.Time, n *Node) int {
	sec := now.Unix()
	l.prepare(sec)
	if n == nil || n.gone || n.parent == nil {
		return -1
	}
	if l.filter != "" {
		return slices.Index(l.rows, n)
	}
	return l.index(n, sec)
}

func (l *Lister) index(n *Node, sec int64) int {
	p := n.parent
	base := 0
	if p != l.tree.root {
		if !l.expanded[p] {
			return -1
		}
		pp := l.index(p, sec)
		if pp < 0 {
			return -1
		}
		base = pp + 1
	}
	r := l.rank(p, n, sec)
	if r < 0 {
		return -1
	}
	for _, o := range l.open[p] {
		if o.rank >= r {
			break
		}
		base += o.ln
	}
	return base + r
}

// walk appends rows of p's subtree, skipping skip rows first; it
// returns what is left of skip and need.
func (l *Lister) walk(p *Node, skip, need int, dst []*Node, sec int64) ([]*Node, int, int) {
	cnt := l.count(p, sec)
	r := 0
	opens := l.open[p]
	for i := 0; i <= len(opens); i++ {
		end := cnt // plain rows r..end-1, the open child (at end-1) included
		if i < len(opens) {
			end = opens[i].rank + 1
		}
		if seg := end - r; skip >= seg {
			skip -= seg
		} else {
			take := min(seg-skip, need)
			dst = l.appendKids(p, r+skip, take, dst, sec)
			need -= take
			skip = 0
		}
		if need == 0 || i == len(opens) {
			return dst, skip, need
		}
		r = end
		if o := opens[i]; skip >= o.ln {
			skip -= o.ln
		} else if dst, skip, need = l.walk(o.n, skip, need, dst, sec); need == 0 {
			return dst, skip, need
		}
	}
	return dst, skip, need
}

// count is how many children p lists.
func (l *Lister) count(p *Node, sec int64) int {
	if l.order == ByName {
		return p.Kids()
	}
	return len(l.fig(p, sec).keys)
}

// rank is k's position among p's children in the order, -1 if absent.
func (l *Lister) rank(p, k *Node, sec int64) int {
	if l.order == ByName {
		if p.kids == nil {
			return -1
		}
		return p.kids.rank(k)
	}
	return l.fig(p, sec).rank(k)
}

func (l *Lister) appendKids(p *Node, from, n int, dst []*Node, sec int64) []*Node {
	if l.order == ByName {
		if p.kids == nil {
			return dst
		}
		return p.kids.appendRange(dst, from, n)
	}
	return l.fig(p, sec).appendRange(dst, from, n)
}

// prepare rebuilds the layout (or, with a filter, the rows) when
// something it depends on changed.
func (l *Lister) prepare(sec int64) {
	t := l.tree
	figures := l.order != ByName || l.inPay
	stale := !l.built || l.bOrder != l.order || l.bExp != l.expVer
	// Paused, a filter's rows and the orders by figures stay as they
	// are; the tree's own name order still shows what arrives.
	if !l.frozen || (l.filter == "" && l.order == ByName) {
		stale = stale || l.bStruct != t.structVer
	}
	if !l.frozen && figures {
		stale = stale || l.bSec != sec
	}
	if !stale {
		return
	}
	for n := range l.expanded {
		if n.gone {
			delete(l.expanded, n)
		}
	}
	for n := range l.figs {
		if n.gone {
			delete(l.figs, n)
		}
	}
	l.built, l.bStruct, l.bExp, l.bSec, l.bOrder = true, t.structVer, l.expVer, sec, l.order
	if l.filter != "" {
		l.rows = l.rows[:0]
		l.pathBuf = l.pathBuf[:0]
		l.appendMatching(t.root, sec)
		return
	}
	clear(l.open) // nodes closed or gone since hold no slot
	for n := range l.expanded {
		if n.Kids() > 0 && l.visible(n) {
			l.open[n.parent] = append(l.open[n.parent], openKid{n: n})
		}
	}
	l.total = l.layout(t.root, sec)
	// Orders taken of nodes closed since are let go (100k children are
	// 4 MiB of keys).
	for n := range l.figs {
		if n != t.root && !l.expanded[n] {
			delete(l.figs, n)
		}
	}
}

// visible: every ancestor of n below the root is open.
func (l *Lister) visible(n *Node) bool {
	for a := n.parent; a != nil && a.parent != nil; a = a.parent {
		if !l.expanded[a] {
			return false
		}
	}
	return true
}

// layout ranks p's open children and returns the rows below p.
func (l *Lister) layout(p *Node, sec int64) int {
	rows := l.count(p, sec)
	opens := l.open[p]
	k := 0
	for _, o := range opens {
		// A child missing from a figure order taken earlier in the
		// second is left out until the next one.
		if o.rank = l.rank(p, o.n, sec); o.rank >= 0 {
			opens[k] = o
			k++
		}
	}
	opens = opens[:k]
	slices.SortFunc(opens, func(a, b openKid) int { return a.rank - b.rank })
	l.open[p] = opens
	for i := range opens {
		opens[i].ln = l.layout(opens[i].n, sec)
		rows += opens[i].ln
	}
	return rows
}

// appendMatching adds n's children that match or have a matching
// descendant; it reports whether it added any.
func (l *Lister) appendMatching(n *Node, sec int64) bool {
	any := false
	base := len(l.pathBuf)
	kids := n.AppendKids(nil)
	if l.order != ByName {
		kids = l.fig(n, sec).appendRange(kids[:0], 0, len(kids))
	}
	for _, k := range kids {
		l.pathBuf = l.pathBuf[:base]
		if n.depth > 0 {
			l.pathBuf = append(l.pathBuf, '/')
		}
		l.pathBuf = appendLower(l.pathBuf, k.name)
		at := len(l.rows)
		l.rows = append(l.rows, k)
		var self bool
		if l.inPay {
			self = k.topic != nil && payloadHas(k.topic, l.filterB)
		} else {
			self = bytes.Contains(l.pathBuf, l.filterB)
		}
		if !l.appendMatching(k, sec) && !self {
			l.rows = l.rows[:at]
			continue
		}
		any = true
	}
	l.pathBuf = l.pathBuf[:base]
	return any
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// payloadHas reports whether the topic's last payload contains needle
// (lower case), ASCII case folded, without allocating.
func payloadHas(tp *Topic, needle []byte) bool {
	if tp.Msgs == 0 {
		return false
	}
	p := tp.lastE.payload
	if len(needle) == 0 {
		return true
	}
	for i := 0; i+len(needle) <= len(p); i++ {
		j := 0
		for ; j < len(needle); j++ {
			c := p[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}
