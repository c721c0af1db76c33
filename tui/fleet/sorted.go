package fleet

import "slices"

// sortedList is an ordered sequence kept in blocks of at most maxBlock
// elements, so that insert and delete cost O(log n + maxBlock) and a window
// at rank r costs O(n/maxBlock + window). The less function must be a strict
// total order over the stored values, and a stored value's key must not
// change while it is in the list: callers delete with the old key first.
type sortedList[T any] struct {
	less   func(a, b T) bool
	blocks [][]T
	n      int
}

const maxBlock = 128

func newSortedList[T any](less func(a, b T) bool) *sortedList[T] {
	return &sortedList[T]{less: less}
}

// Len is the number of stored values.
func (s *sortedList[T]) Len() int { return s.n }

// block returns the index of the first block whose last value is not less
// than v, or len(blocks)-1 when v sorts after everything.
func (s *sortedList[T]) block(v T) int {
	lo, hi := 0, len(s.blocks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		b := s.blocks[m]
		if s.less(b[len(b)-1], v) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(s.blocks) {
		lo--
	}
	return lo
}

// within returns the first index in b whose value is not less than v.
func (s *sortedList[T]) within(b []T, v T) int {
	lo, hi := 0, len(b)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.less(b[m], v) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Insert adds v at its place.
func (s *sortedList[T]) Insert(v T) {
	s.n++
	if len(s.blocks) == 0 {
		b := make([]T, 1, 16)
		b[0] = v
		s.blocks = append(s.blocks, b)
		return
	}
	bi := s.block(v)
	b := s.blocks[bi]
	if len(b) == maxBlock {
		// A full block: hand a value to a neighbour with room, else start
		// a block of its own at either end, else split. Splitting only
		// when the neighbours are full keeps blocks mostly full (an index
		// entry costs its size, not twice it), and no block's array grows
		// past maxBlock.
		var zero T
		switch i := s.within(b, v); {
		case bi > 0 && len(s.blocks[bi-1]) < maxBlock:
			// b[0] (or v, when it goes first) moves to the end of the
			// previous block: both sort after everything there.
			if i == 0 {
				s.blocks[bi-1] = append(s.blocks[bi-1], v)
				return
			}
			s.blocks[bi-1] = append(s.blocks[bi-1], b[0])
			copy(b, b[1:i])
			b[i-1] = v
			return
		case bi+1 < len(s.blocks) && len(s.blocks[bi+1]) < maxBlock:
			// The last value moves to the front of the next block.
			last := b[maxBlock-1]
			copy(b[i+1:], b[i:maxBlock-1])
			b[i] = v
			nb := append(s.blocks[bi+1], zero)
			copy(nb[1:], nb)
			nb[0] = last
			s.blocks[bi+1] = nb
			return
		case i == 0 || i == maxBlock:
			// Inserts at either end (newest-first orders take every new
			// value there): a new block, so the one left behind is full.
			if i == maxBlock {
				bi++
			}
			s.blocks = append(s.blocks, nil)
			copy(s.blocks[bi+1:], s.blocks[bi:])
			s.blocks[bi] = append(make([]T, 0, 16), v)
			return
		default:
			// Split in two halves, the second in its own array so appends
			// to the first never overwrite it.
			half := maxBlock / 2
			second := make([]T, maxBlock-half, maxBlock)
			copy(second, b[half:])
			clear(b[half:])
			s.blocks[bi] = b[:half]
			s.blocks = append(s.blocks, nil)
			copy(s.blocks[bi+2:], s.blocks[bi+1:])
			s.blocks[bi+1] = second
			if i >= half {
				bi++
				b = second
			} else {
				b = b[:half]
			}
		}
	}
	i := s.within(b, v)
	var zero T
	b = append(b, zero)
	copy(b[i+1:], b[i:])
	b[i] = v
	s.blocks[bi] = b
}

// Delete removes the value equal (by the order) to v. It reports whether
// one was found.
func (s *sortedList[T]) Delete(v T) bool {
	if len(s.blocks) == 0 {
		return false
	}
	bi := s.block(v)
	b := s.blocks[bi]
	i := s.within(b, v)
	if i == len(b) || s.less(v, b[i]) {
		return false
	}
	copy(b[i:], b[i+1:])
	var zero T
	b[len(b)-1] = zero
	b = b[:len(b)-1]
	s.n--
	switch {
	case len(b) == 0:
		s.blocks = slices.Delete(s.blocks, bi, bi+1) // zeroes the vacated slot
	case bi+1 < len(s.blocks) && len(b)+len(s.blocks[bi+1]) <= maxBlock/2:
		// Merge small neighbours so the block count stays near n/maxBlock.
		b = append(b, s.blocks[bi+1]...)
		s.blocks[bi] = b
		s.blocks = slices.Delete(s.blocks, bi+1, bi+2)
	default:
		s.blocks[bi] = b
	}
	return true
}

// Rank is the number of stored values less than v.
func (s *sortedList[T]) Rank(v T) int {
	if len(s.blocks) == 0 {
		return 0
	}
	bi := s.block(v)
	r := 0
	for _, b := range s.blocks[:bi] {
		r += len(b)
	}
	return r + s.within(s.blocks[bi], v)
}

// Ascend calls fn for the values from rank from onwards, in order, until fn
// returns false.
func (s *sortedList[T]) Ascend(from int, fn func(T) bool) {
	if from < 0 {
		from = 0
	}
	for _, b := range s.blocks {
		if from >= len(b) {
			from -= len(b)
			continue
		}
		for _, v := range b[from:] {
			if !fn(v) {
				return
			}
		}
		from = 0
	}
}

// AscendFrom calls fn for the values not less than v, in order, until fn
// returns false.
func (s *sortedList[T]) AscendFrom(v T, fn func(T) bool) {
	if len(s.blocks) == 0 {
		return
	}
	bi := s.block(v)
	from := s.within(s.blocks[bi], v)
	for _, b := range s.blocks[bi:] {
		for _, x := range b[from:] {
			if !fn(x) {
				return
			}
		}
		from = 0
	}
}

// At returns the value at rank i; ok is false when out of range.
func (s *sortedList[T]) At(i int) (v T, ok bool) {
	if i < 0 {
		return v, false
	}
	for _, b := range s.blocks {
		if i < len(b) {
			return b[i], true
		}
		i -= len(b)
	}
	return v, false
}

// cursor walks a sortedList in order from a starting rank.
type cursor[T any] struct {
	l    *sortedList[T]
	b, i int
}

// cursor returns a cursor at rank 0.
func (s *sortedList[T]) cursor() cursor[T] { return cursor[T]{l: s} }

// ok reports whether the cursor points at a value.
func (c *cursor[T]) ok() bool { return c.b < len(c.l.blocks) }

// value is the value under the cursor; ok must be true.
func (c *cursor[T]) value() T { return c.l.blocks[c.b][c.i] }

// next advances the cursor.
func (c *cursor[T]) next() {
	c.i++
	if c.i >= len(c.l.blocks[c.b]) {
		c.b++
		c.i = 0
	}
}
