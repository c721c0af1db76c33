package topics

// links picks a topic's intrusive list (one today: the update order).
type links uint8

const lruLinks links = 0

func (tp *Topic) ptrs(links) (prev, next **Topic) { return &tp.lruPrev, &tp.lruNext }

// list is an intrusive doubly linked list of topics, most recent first:
// moving a topic to the front and taking the oldest are O(1) and
// allocate nothing.
type list struct {
	front, tail *Topic
	n           int
}

func (l *list) pushFront(tp *Topic, k links) {
	prev, next := tp.ptrs(k)
	*prev, *next = nil, l.front
	if l.front != nil {
		fp, _ := l.front.ptrs(k)
		*fp = tp
	}
	l.front = tp
	if l.tail == nil {
		l.tail = tp
	}
	l.n++
}

func (l *list) remove(tp *Topic, k links) {
	prev, next := tp.ptrs(k)
	if *prev != nil {
		_, pn := (*prev).ptrs(k)
		*pn = *next
	} else {
		l.front = *next
	}
	if *next != nil {
		np, _ := (*next).ptrs(k)
		*np = *prev
	} else {
		l.tail = *prev
	}
	*prev, *next = nil, nil
	l.n--
}

func (l *list) back() *Topic { return l.tail }
