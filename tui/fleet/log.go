package fleet

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// entrySize approximates what an entry keeps alive: payload, topic and a
// decoded tree of about the payload's size.
func entrySize(it *Item) int { return 2*len(it.Msg.Payload) + len(it.Msg.Topic) + 256 }

func (s *Store) logAppend(it *Item) {
	s.logSeq++
	e := LogEntry{Seq: s.logSeq, Item: *it}
	if it.Route.Secret {
		e.Redacted = true
		e.Item.Msg.Payload = nil
		e.Item.Msg.Props = nil // user properties may carry keys too
		e.Item.Value = decode.Value{Format: it.Value.Format, Size: it.Value.Size, Warnings: it.Value.Warnings}
	}
	e.size = entrySize(&e.Item)
	old, evicted := s.log.Push(e)
	if evicted {
		s.evicted.Log++
		if !old.Dropped {
			s.logBytes -= old.size
		}
		s.logFirstSeq = old.Seq + 1
	} else if s.log.Len() == 1 {
		s.logFirstSeq = e.Seq
	}
	s.logBytes += e.size
	if s.logFloor < s.logFirstSeq {
		s.logFloor = s.logFirstSeq
	}
	// Drop the oldest payloads still held until the log fits its budget;
	// the entries (topic, size, format) stay.
	for s.logBytes > s.cfg.MaxLogBytes && s.logFloor <= s.logSeq {
		x := s.log.At(int(s.logFloor - s.logFirstSeq))
		if !x.Dropped {
			x.Dropped = true
			x.Item.Msg.Payload = nil
			x.Item.Value.Data = decode.Node{}
			x.Item.Value.Event = nil
			s.logBytes -= x.size
			s.evicted.LogPayloads++
		}
		s.logFloor++
	}
}

// LogFilter selects raw log entries: Topic is an MQTT topic filter (+ and
// #), Text a case-insensitive substring of the topic, the payload, the
// names the route gives the message (device, thing, system, component...),
// its CloudEvent attributes or its MQTT 5 user properties (secret values
// excluded). Both empty select everything.
type LogFilter struct {
	Topic string
	Text  string
}

// logCache keeps the sequence numbers of the entries matching the last
// filter asked for, extended with what arrived since, so a filtered view
// costs O(new entries) per frame rather than O(log size).
type logCache struct {
	f       LogFilter
	valid   bool
	scanned uint64   // last Seq examined
	seqs    []uint64 // matching Seq, ascending; seqs[head:] are live
	head    int
}

// LogWindow appends up to n entries matching f, newest first, starting
// offset matches from the newest, and returns them with the number of
// matches. An invalid topic filter matches nothing (check it with
// ValidTopicFilter). Entry pointers stay valid until the next Apply.
func (s *Store) LogWindow(f LogFilter, offset, n int, dst []*LogEntry) ([]*LogEntry, int) {
	offset = max(offset, 0)
	if f.Topic == "" && f.Text == "" {
		total := s.log.Len()
		for i := offset; i < total && n > 0; i, n = i+1, n-1 {
			dst = append(dst, s.log.Newest(i))
		}
		return dst, total
	}
	c := &s.logCache
	if !c.valid || c.f != f {
		*c = logCache{f: f, valid: true, seqs: c.seqs[:0]}
	}
	if s.log.Len() == 0 {
		return dst, 0
	}
	// Forget matches that left the ring.
	for c.head < len(c.seqs) && c.seqs[c.head] < s.logFirstSeq {
		c.head++
	}
	if c.head > 1024 && c.head > len(c.seqs)/2 {
		c.seqs = append(c.seqs[:0], c.seqs[c.head:]...)
		c.head = 0
	}
	if f.Topic == "" || ValidTopicFilter(f.Topic) == nil {
		needle := strings.ToLower(f.Text)
		from := max(c.scanned+1, s.logFirstSeq)
		for seq := from; seq <= s.logSeq; seq++ {
			e := s.log.At(int(seq - s.logFirstSeq))
			if logMatch(e, f.Topic, needle) {
				c.seqs = append(c.seqs, seq)
			}
		}
	}
	c.scanned = s.logSeq
	live := c.seqs[c.head:]
	total := len(live)
	for i := offset; i < total && n > 0; i, n = i+1, n-1 {
		seq := live[total-1-i]
		dst = append(dst, s.log.At(int(seq-s.logFirstSeq)))
	}
	return dst, total
}

func logMatch(e *LogEntry, filter, needle string) bool {
	if filter != "" && !MatchTopic(filter, e.Item.Msg.Topic) {
		return false
	}
	if needle == "" {
		return true
	}
	if containsFold(e.Item.Msg.Topic, needle) || matchSeen(&e.Item, needle) {
		return true
	}
	return !e.Redacted && (containsFoldBytes(e.Item.Msg.Payload, needle) || matchProps(&e.Item, needle))
}

// matchSeen: what the operator sees of a message besides its topic, the
// names the route gives it (every Drogue topic is app/<app>: the device is
// only here and in the CloudEvent) and the CloudEvent's attributes.
func matchSeen(it *Item, needle string) bool {
	r := &it.Route
	for _, f := range [...]string{r.System, r.Device, r.Thing, r.App, r.Component, r.Channel, r.Name, r.Command} {
		if f != "" && containsFold(f, needle) {
			return true
		}
	}
	if ce := it.Value.Event; ce != nil {
		for _, f := range [...]string{ce.ID, ce.Source, ce.Type, ce.Subject} {
			if containsFold(f, needle) {
				return true
			}
		}
		for _, a := range ce.Extensions {
			if containsFold(a.Value, needle) || containsFold(a.Name, needle) {
				return true
			}
		}
	}
	return false
}

// matchProps: MQTT 5 user properties and the response topic; values under
// secret keys are never searched (a filter must not confirm a secret).
func matchProps(it *Item, needle string) bool {
	p := it.Msg.Props
	if p == nil {
		return false
	}
	if containsFold(p.ResponseTopic, needle) || containsFold(p.ContentType, needle) {
		return true
	}
	for _, u := range p.User {
		if containsFold(u.Key, needle) || !platform.SecretKey(u.Key) && containsFold(u.Value, needle) {
			return true
		}
	}
	return false
}

// containsFold reports whether needle (already lower case) occurs in s,
// ignoring ASCII case, without allocating for ASCII haystacks.
func containsFold(s, needle string) bool {
	if needle == "" {
		return true
	}
	if !isASCII(needle) || !isASCII(s) {
		return strings.Contains(strings.ToLower(s), needle)
	}
	return indexFoldASCII(s, needle) >= 0
}

func containsFoldBytes(b []byte, needle string) bool {
	if len(b) < len(needle) {
		return false
	}
	if !isASCII(needle) {
		if !utf8.Valid(b) {
			return false
		}
		return bytes.Contains(bytes.ToLower(b), []byte(needle))
	}
	first := needle[0]
	for i := 0; i+len(needle) <= len(b); i++ {
		if lowerASCII(b[i]) != first {
			continue
		}
		j := 1
		for j < len(needle) && lowerASCII(b[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

func indexFoldASCII(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		j := 0
		for j < len(needle) && lowerASCII(s[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
