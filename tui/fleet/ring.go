package fleet

import "math"

// ring keeps the last max values pushed, oldest first. Storage grows with
// use up to max, so a ring that sees three values holds three.
// Its indexes are 32 bits: a store holds 100k event rings.
type ring[T any] struct {
	buf   []T
	start int32 // index of the oldest value once the ring is full
	max   int32
}

func newRing[T any](max int) ring[T] {
	max = min(max, math.MaxInt32)
	if max < 1 {
		max = 1
	}
	return ring[T]{max: int32(max)}
}

// Len is the number of values held.
func (r *ring[T]) Len() int { return len(r.buf) }

// Push adds v. When the ring was full the oldest value is dropped and
// returned with evicted true.
func (r *ring[T]) Push(v T) (old T, evicted bool) {
	if r.max < 1 {
		r.max = 1
	}
	if len(r.buf) < int(r.max) {
		r.buf = append(r.buf, v)
		return old, false
	}
	old = r.buf[r.start]
	r.buf[r.start] = v
	r.start++
	if int(r.start) == len(r.buf) {
		r.start = 0
	}
	return old, true
}

// At returns a pointer to the i-th value, oldest first (0 <= i < Len). The
// pointer stays valid until that slot is overwritten by a later Push.
func (r *ring[T]) At(i int) *T {
	j := int(r.start) + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// Newest returns a pointer to the i-th value counted from the newest.
func (r *ring[T]) Newest(i int) *T { return r.At(len(r.buf) - 1 - i) }

// Last returns the newest value, if any.
func (r *ring[T]) Last() (v T, ok bool) {
	if len(r.buf) == 0 {
		return v, false
	}
	return *r.Newest(0), true
}

// Slice appends the values oldest first to dst.
func (r *ring[T]) Slice(dst []T) []T {
	dst = append(dst, r.buf[r.start:]...)
	return append(dst, r.buf[:r.start]...)
}

// Reset drops every value but keeps max.
func (r *ring[T]) Reset() {
	clear(r.buf)
	r.buf = r.buf[:0]
	r.start = 0
}

// lru is a doubly linked list in order of last use: Front is the least
// recently used. Nodes are owned by the entity they point to.
type lru[T any] struct {
	root lnode[T]
	n    int
}

type lnode[T any] struct {
	prev, next *lnode[T]
	list       *lru[T]
	v          T
}

func (l *lru[T]) lazyInit() {
	if l.root.next == nil {
		l.root.next, l.root.prev = &l.root, &l.root
	}
}

// Len is the number of nodes in the list.
func (l *lru[T]) Len() int { return l.n }

// Front returns the least recently used node, or nil.
func (l *lru[T]) Front() *lnode[T] {
	if l.n == 0 {
		return nil
	}
	return l.root.next
}

// PushBack appends x (which must not be in a list) as the most recent.
func (l *lru[T]) PushBack(x *lnode[T]) {
	l.lazyInit()
	at := l.root.prev
	x.prev, x.next = at, &l.root
	at.next = x
	l.root.prev = x
	x.list = l
	l.n++
}

// Remove unlinks x if it is in l.
func (l *lru[T]) Remove(x *lnode[T]) {
	if x.list != l {
		return
	}
	x.prev.next = x.next
	x.next.prev = x.prev
	x.prev, x.next, x.list = nil, nil, nil
	l.n--
}

// Touch moves x to the back of l, taking it out of whatever list held it.
func (l *lru[T]) Touch(x *lnode[T]) {
	if x.list == l && l.root.prev == x {
		return
	}
	if x.list != nil {
		x.list.Remove(x)
	}
	l.PushBack(x)
}
