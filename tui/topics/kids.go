package topics

import (
	"slices"
	"sort"
)

// kidSet is a node's children, kept sorted by name in blocks of at most
// blockMax, so the pane lists a window of 100k children by name, and finds
// a child's rank, in O(log n) without sorting them per frame; adding or
// removing a child moves at most one block. Past mapFrom children a map
// finds a name in one lookup (the message path); below it a scan of one
// short block does, and the node carries no map.
type kidSet struct {
	blocks [][]*Node
	n      int
	index  map[string]*Node
}

const (
	blockMax = 512
	mapFrom  = 16
)

func (s *kidSet) find(name string) *Node {
	if s.index != nil {
		return s.index[name]
	}
	for _, b := range s.blocks {
		for _, k := range b {
			if k.name == name {
				return k
			}
		}
	}
	return nil
}

// block is the block that holds or would hold name.
func (s *kidSet) block(name string) int {
	b := sort.Search(len(s.blocks), func(i int) bool { return s.blocks[i][0].name > name }) - 1
	return max(b, 0)
}

func searchName(blk []*Node, name string) int {
	return sort.Search(len(blk), func(i int) bool { return blk[i].name >= name })
}

func (s *kidSet) insert(k *Node) {
	s.n++
	if s.index != nil {
		s.index[k.name] = k
	} else if s.n > mapFrom {
		s.index = make(map[string]*Node, s.n)
		for _, b := range s.blocks {
			for _, x := range b {
				s.index[x.name] = x
			}
		}
		s.index[k.name] = k
	}
	if len(s.blocks) == 0 {
		s.blocks = [][]*Node{{k}}
		return
	}
	b := s.block(k.name)
	blk := s.blocks[b]
	blk = slices.Insert(blk, searchName(blk, k.name), k)
	if len(blk) > blockMax {
		// The upper half gets an array of its own: the lower half keeps
		// appending into the old one.
		half := len(blk) / 2
		up := slices.Clone(blk[half:])
		clear(blk[half:])
		blk = blk[:half]
		s.blocks = slices.Insert(s.blocks, b+1, up)
	}
	s.blocks[b] = blk
}

func (s *kidSet) remove(k *Node) {
	b := s.block(k.name)
	blk := s.blocks[b]
	i := searchName(blk, k.name)
	if i == len(blk) || blk[i] != k {
		return
	}
	s.n--
	if s.index != nil {
		delete(s.index, k.name)
		if s.n <= mapFrom/2 {
			s.index = nil
		}
	}
	blk = slices.Delete(blk, i, i+1)
	switch {
	case len(blk) == 0:
		s.blocks = slices.Delete(s.blocks, b, b+1)
		return
	case b+1 < len(s.blocks) && len(blk)+len(s.blocks[b+1]) <= blockMax/2:
		// Small neighbours merge, so the blocks stay few.
		blk = append(blk, s.blocks[b+1]...)
		s.blocks = slices.Delete(s.blocks, b+1, b+2)
	}
	s.blocks[b] = blk
}

// rank is k's position by name, -1 when k is not a child.
func (s *kidSet) rank(k *Node) int {
	if len(s.blocks) == 0 {
		return -1
	}
	b := s.block(k.name)
	blk := s.blocks[b]
	i := searchName(blk, k.name)
	if i == len(blk) || blk[i] != k {
		return -1
	}
	for _, x := range s.blocks[:b] {
		i += len(x)
	}
	return i
}

// appendRange appends up to n children from rank from on, by name.
func (s *kidSet) appendRange(dst []*Node, from, n int) []*Node {
	for _, b := range s.blocks {
		if n <= 0 {
			break
		}
		if from >= len(b) {
			from -= len(b)
			continue
		}
		part := b[from:min(len(b), from+n)]
		dst = append(dst, part...)
		n -= len(part)
		from = 0
	}
	return dst
}
