package topics

import (
	"slices"
	"sort"
	"time"
)

// figOrder is one node's children in an order by figures, taken once a
// second. Up to smallFig children are sorted whole (and taken again when
// one is added or removed); above, the next order's keys are read a
// chunk per frame while the last one is shown, and only the ranks a
// window asks for are put in place (quickselect around them, then a sort
// of the window): no frame sorts or even reads 100k children.
type figOrder struct {
	sec    int64
	ver    uint64
	order  Order
	byName []*Node  // the children by name when taken
	keyOf  []uint64 // their keys, in the same order
	keys   []keyed  // in final order inside done, partitioned around it
	done   []span   // ranks in final place, ascending, disjoint
	ranks  map[*Node]int
	next   *figBuild // the next order being read, big nodes only
	spareN []*Node   // the arrays of the order before, for the next
	spareK []uint64
}

// figBuild is an order being read, takeChunk children per frame.
type figBuild struct {
	sec    int64
	ver    uint64
	byName []*Node
	keyOf  []uint64
}

// takeChunk is how many children's figures one frame reads for the next
// order: about 0.3 ms.
const takeChunk = 16 << 10

// keyed holds no pointer (the node is byName[i]): the garbage collector
// skips 100k of them.
type keyed struct {
	k uint64
	i int32 // name rank: ties keep name order
}

type span struct{ a, b int }

const smallFig = 4096

// before: most first, ties by name.
func before(a, b keyed) bool { return a.k > b.k || (a.k == b.k && a.i < b.i) }

func figKey(n *Node, o Order, sec int64) uint64 {
	switch o {
	case ByRate:
		return uint64(n.rate.recent(sec))
	case ByBytes:
		return n.bytes
	case ByLast:
		return uint64(n.last)
	}
	return 0
}

// fig is p's order by figures for this second.
func (l *Lister) fig(p *Node, sec int64) *figOrder {
	f := l.figs[p]
	switch {
	case f == nil:
		f = &figOrder{}
		l.figs[p] = f
	case f.order != l.order:
	case l.frozen || f.sec == sec && f.ver == p.kidsVer:
		return f
	case len(f.keys) > smallFig && p.Kids() > smallFig:
		return f // Advance takes the next one, a chunk a frame
	}
	f.next = nil
	f.take(p, l.order, sec)
	return f
}

// Advance reads the next chunk of the orders by figures of open nodes
// with many children, each taken again once a second; the pane calls it
// once a frame. It reports whether an order is still being read.
func (l *Lister) Advance(now time.Time) (pending bool) {
	sec := now.Unix()
	if l.frozen || l.order == ByName {
		return false
	}
	for p, f := range l.figs {
		if f.order != l.order || len(f.keys) <= smallFig || (f.sec == sec && f.next == nil) {
			continue
		}
		if f.step(p, sec) {
			l.built = false // another order: lay the rows out again
		} else {
			pending = true
		}
	}
	return pending
}

// step reads the next chunk of the next order; it reports whether the
// order was read whole and is now the one shown.
func (f *figOrder) step(p *Node, sec int64) bool {
	b := f.next
	if b == nil {
		// The arrays of the order before last are reused.
		b = &figBuild{sec: sec, ver: p.kidsVer, byName: p.AppendKids(f.spareN[:0]), keyOf: f.spareK[:0]}
		f.next, f.spareN, f.spareK = b, nil, nil
	}
	end := min(len(b.byName), len(b.keyOf)+takeChunk)
	for _, k := range b.byName[len(b.keyOf):end] {
		b.keyOf = append(b.keyOf, figKey(k, f.order, b.sec))
	}
	if len(b.keyOf) < len(b.byName) {
		return false
	}
	clear(f.byName) // let the evicted go
	f.spareN, f.spareK = f.byName, f.keyOf
	f.sec, f.ver, f.byName, f.keyOf, f.next = b.sec, b.ver, b.byName, b.keyOf, nil
	f.keys, f.done = f.keys[:0], f.done[:0]
	for i, k := range f.keyOf {
		f.keys = append(f.keys, keyed{k, int32(i)})
	}
	clear(f.ranks)
	return true
}

func (f *figOrder) take(p *Node, o Order, sec int64) {
	f.sec, f.ver, f.order = sec, p.kidsVer, o
	f.byName = p.AppendKids(f.byName[:0])
	f.keyOf, f.keys, f.done = f.keyOf[:0], f.keys[:0], f.done[:0]
	for i, k := range f.byName {
		key := figKey(k, o, sec)
		f.keyOf = append(f.keyOf, key)
		f.keys = append(f.keys, keyed{key, int32(i)})
	}
	if f.ranks == nil {
		f.ranks = map[*Node]int{}
	}
	clear(f.ranks)
	if len(f.keys) <= smallFig {
		f.ensure(0, len(f.keys))
	}
}

// appendRange appends up to n children from rank from on.
func (f *figOrder) appendRange(dst []*Node, from, n int) []*Node {
	to := min(len(f.keys), from+n)
	if from < 0 || from >= to {
		return dst
	}
	f.ensure(from, to)
	for _, k := range f.keys[from:to] {
		dst = append(dst, f.byName[k.i])
	}
	return dst
}

// rank is k's position, -1 when k was not a child when the order was taken.
func (f *figOrder) rank(k *Node) int {
	if r, ok := f.ranks[k]; ok {
		return r
	}
	i := sort.Search(len(f.byName), func(i int) bool { return f.byName[i].name >= k.name })
	if i == len(f.byName) || f.byName[i] != k {
		return -1
	}
	if len(f.done) == 1 && f.done[0] == (span{0, len(f.keys)}) {
		for r, x := range f.keys {
			f.ranks[f.byName[x.i]] = r
		}
		return f.ranks[k]
	}
	// Partly ordered: count who comes before it (one pass, remembered).
	me := keyed{f.keyOf[i], int32(i)}
	r := 0
	for _, x := range f.keys {
		if before(x, me) {
			r++
		}
	}
	f.ranks[k] = r
	return r
}

// ensure puts the ranks a..b-1 in their final place.
func (f *figOrder) ensure(a, b int) {
	b = min(b, len(f.keys))
	for a < b {
		// The first done span ending after a.
		j := sort.Search(len(f.done), func(j int) bool { return f.done[j].b > a })
		if j < len(f.done) && f.done[j].a <= a {
			a = f.done[j].b // already in place
			continue
		}
		lo, hi := 0, len(f.keys)
		if j > 0 {
			lo = f.done[j-1].b
		}
		if j < len(f.done) {
			hi = f.done[j].a
		}
		// keys[lo:hi] hold exactly the ranks lo..hi-1, in any order.
		x, y := a, min(b, hi)
		if x > lo {
			nth(f.keys[lo:hi], x-lo)
		}
		if y < hi {
			nth(f.keys[x:hi], y-x)
		}
		slices.SortFunc(f.keys[x:y], func(p, q keyed) int {
			if before(p, q) {
				return -1
			}
			return 1
		})
		f.done = slices.Insert(f.done, j, span{x, y})
		f.merge()
		a = y
	}
}

// merge joins touching done spans.
func (f *figOrder) merge() {
	out := f.done[:0]
	for _, s := range f.done {
		if k := len(out); k > 0 && out[k-1].b == s.a {
			out[k-1].b = s.b
			continue
		}
		out = append(out, s)
	}
	f.done = out
}

// nth rearranges s so that s[k] holds rank k, the ranks below it before
// and the ranks above after (quickselect, median of three; the keys are
// distinct, ties being broken by name rank).
func nth(s []keyed, k int) {
	lo, hi := 0, len(s)-1
	for hi > lo {
		if hi-lo < 16 {
			for i := lo + 1; i <= hi; i++ {
				for j := i; j > lo && before(s[j], s[j-1]); j-- {
					s[j], s[j-1] = s[j-1], s[j]
				}
			}
			return
		}
		mid := lo + (hi-lo)/2
		if before(s[mid], s[lo]) {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if before(s[hi], s[lo]) {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if before(s[hi], s[mid]) {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for before(s[i], pivot) {
				i++
			}
			for before(pivot, s[j]) {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
