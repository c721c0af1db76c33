package topics

import (
	"bytes"
	"cmp"
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
// order and the filter, and the flattened visible rows built from them.
// The rows are rebuilt only when the tree's structure, the view state or
// (for the orders by figures) the second changes; between rebuilds a frame
// costs only the rows it draws.
type Lister struct {
	tree     *Tree
	expanded map[*Node]bool
	order    Order
	filter   string // lower case
	filterB  []byte
	inPay    bool // the filter searches the last payloads ("p:" prefix)

	rows       []*Node
	valid      bool
	builtStruc uint64
	builtSec   int64

	sorted  map[*Node]*kidCache
	pathBuf []byte
	keyBuf  []keyed
}

type kidCache struct {
	ver   uint64
	sec   int64
	order Order
	kids  []*Node
	// byName is the name order the figures' orders start from, kept
	// until a child is added or removed (sorting 100k names took most of
	// a reorder).
	byName    []*Node
	byNameVer uint64
	byNameOK  bool
}

type keyed struct {
	n *Node
	k uint64
	i int32
}

// NewLister starts a view of t with everything collapsed, by name.
func NewLister(t *Tree) *Lister {
	return &Lister{tree: t, expanded: map[*Node]bool{}, sorted: map[*Node]*kidCache{}}
}

// Order is the current order.
func (l *Lister) Order() Order { return l.order }

// SetOrder changes the order of every node's children.
func (l *Lister) SetOrder(o Order) {
	if o != l.order {
		l.order, l.valid = o, false
	}
}

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
		l.filter, l.valid = s, false
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
	l.valid = false
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
		queue = append(queue, l.kids(x, 0)...)
	}
	l.valid = false
	return opened
}

// Rows returns the visible nodes in display order. The slice is the
// lister's own: valid until the next call.
func (l *Lister) Rows(now time.Time) []*Node {
	sec := now.Unix()
	// Orders by figures and payload searches change with the data: they
	// are redone once a second at most.
	steady := l.order == ByName && !l.inPay
	if l.valid && l.builtStruc == l.tree.structVer && (steady || l.builtSec == sec) {
		return l.rows
	}
	for n := range l.expanded {
		if n.gone {
			delete(l.expanded, n)
		}
	}
	for n := range l.sorted {
		if n.gone {
			delete(l.sorted, n)
		}
	}
	l.rows = l.rows[:0]
	if l.filter == "" {
		l.appendOpen(l.tree.root, sec)
	} else {
		l.pathBuf = l.pathBuf[:0]
		l.appendMatching(l.tree.root, sec)
	}
	l.valid, l.builtStruc, l.builtSec = true, l.tree.structVer, sec
	return l.rows
}

func (l *Lister) appendOpen(n *Node, sec int64) {
	for _, k := range l.kids(n, sec) {
		l.rows = append(l.rows, k)
		if len(k.kids) > 0 && l.expanded[k] {
			l.appendOpen(k, sec)
		}
	}
}

// appendMatching adds n's children that match or have a matching
// descendant; it reports whether it added any.
func (l *Lister) appendMatching(n *Node, sec int64) bool {
	any := false
	base := len(l.pathBuf)
	for _, k := range l.kids(n, sec) {
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

// kids returns n's children in the lister's order, cached per node until
// a child is added or removed (and, for the figures, for one second).
func (l *Lister) kids(n *Node, sec int64) []*Node {
	c := l.sorted[n]
	if c != nil && c.ver == n.kidsVer && c.order == l.order && (l.order == ByName || c.sec == sec) {
		if l.order == ByName {
			return c.byName
		}
		return c.kids
	}
	if c == nil {
		if len(n.kids) == 0 {
			return nil
		}
		c = &kidCache{}
		l.sorted[n] = c
	}
	if !c.byNameOK || c.byNameVer != n.kidsVer {
		c.byName = sortByName(c.byName[:0], n)
		c.byNameVer, c.byNameOK = n.kidsVer, true
	}
	c.ver, c.order, c.sec = n.kidsVer, l.order, sec
	if l.order == ByName {
		return c.byName
	}
	// By figures: keys computed once, ties kept in name order by index,
	// so the sort compares integers only (a string compare per step cost
	// 4x more at 100k children).
	now := time.Unix(sec, 0)
	kb := l.keyBuf[:0]
	for i, k := range c.byName {
		var key uint64
		switch l.order {
		case ByRate:
			key = uint64(k.RecentRate(now))
		case ByBytes:
			key = k.bytes
		case ByLast:
			key = uint64(k.last.UnixNano())
		}
		kb = append(kb, keyed{k, key, int32(i)})
	}
	slices.SortFunc(kb, func(a, b keyed) int {
		if a.k != b.k {
			return cmp.Compare(b.k, a.k)
		}
		return cmp.Compare(a.i, b.i)
	})
	c.kids = c.kids[:0]
	for _, x := range kb {
		c.kids = append(c.kids, x.n)
	}
	l.keyBuf = kb[:0]
	return c.kids
}

func sortByName(dst []*Node, n *Node) []*Node {
	dst = n.AppendKids(dst)
	slices.SortFunc(dst, func(a, b *Node) int { return strings.Compare(a.name, b.name) })
	return dst
}

// sortedByName is n's children by name, freshly sorted (rare walks).
func sortedByName(n *Node) []*Node { return sortByName(nil, n) }

// payloadHas reports whether the topic's last payload contains needle
// (lower case), ASCII case folded, without allocating.
func payloadHas(tp *Topic, needle []byte) bool {
	if tp.hist.len() == 0 {
		return false
	}
	p := tp.hist.at(tp.hist.len() - 1).payload
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
