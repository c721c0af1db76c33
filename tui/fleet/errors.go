package fleet

import (
	"strings"
	"time"
)

// AddError records an entry the UI produced: a refused subscription, a
// failed publish, anything else worth the errors pane. Decode warnings are
// recorded by Apply itself. Seq is assigned; Time defaults to now; Count
// to 1. A report equal to the newest one (source, topic, code, message)
// only bumps that one's Count and time, so a repeating failure does not
// push everything else out.
func (s *Store) AddError(r ErrorReport) {
	if r.Time.IsZero() {
		r.Time = s.cfg.Now()
	}
	if r.Source == "" {
		r.Source = ErrOther
	}
	s.addError(r)
	s.version++
}

func (s *Store) addError(r ErrorReport) {
	if r.Count < 1 {
		r.Count = 1
	}
	s.errCount += uint64(r.Count)
	if last := s.errors.Len(); last > 0 {
		n := s.errors.Newest(0)
		if n.Source == r.Source && n.Topic == r.Topic && n.Code == r.Code && n.Message == r.Message &&
			r.Stats == nil && n.Stats == nil && len(r.Lines) == 0 && len(n.Lines) == 0 {
			n.Count += r.Count
			n.Time = r.Time
			if r.Item != nil {
				n.Item = r.Item
			}
			return
		}
	}
	s.errSeq++
	r.Seq = s.errSeq
	if _, evicted := s.errors.Push(r); evicted {
		s.evicted.Errors++
	}
}

// ErrorCount is how many errors were reported since the start, repeats
// and evicted ones included: the console badges the Errors tab with what
// arrived since the operator last had the pane on screen.
func (s *Store) ErrorCount() uint64 { return s.errCount }

// ErrorsWindow appends up to n reports, newest first, starting offset
// reports from the newest, and returns them with the total held. Cost
// O(n).
func (s *Store) ErrorsWindow(offset, n int, dst []*ErrorReport) ([]*ErrorReport, int) {
	total := s.errors.Len()
	for i := max(offset, 0); i < total && n > 0; i, n = i+1, n-1 {
		dst = append(dst, s.errors.Newest(i))
	}
	return dst, total
}

// decodeWarnings files an item's warnings. A secret item has some only
// when ingest could not understand it (ingest.Understood).
func (s *Store) decodeWarnings(it *Item, at time.Time) {
	s.addError(ErrorReport{
		Time:    at,
		Source:  ErrDecode,
		Ref:     RefOf(&it.Route),
		Topic:   it.Msg.Topic,
		Message: strings.Join(it.Value.Warnings, "; "),
		Item:    itemCopy(it),
	})
}

// itemCopy keeps a message for the detail pane of an error report; a
// secret one without payload and properties, as in the log.
func itemCopy(it *Item) *Item {
	c := *it
	if c.Route.Secret {
		c.Msg.Payload, c.Msg.Props = nil, nil
	}
	return &c
}
