package console

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// applyChunk is how many items the writer applies per hold of the write
// lock: a console waiting to draw waits for one chunk (well under a
// millisecond), never for a whole batch.
const applyChunk = 128

// Writer is the one goroutine's side of a shared store: it applies the
// ingest's batches a chunk per hold of the write lock, then wakes every
// console that reads the store (mqdeck serve's sessions, or the plain
// console's own program). Consoles read under the read lock, concurrently
// with each other. It never waits for a reader beyond the chunk they hold.
type Writer struct {
	mu    sync.RWMutex
	store *fleet.Store

	smu  sync.Mutex
	subs map[*Sub]struct{}

	state   atomic.Pointer[mqttconn.State]
	dropped atomic.Uint64
	applied atomic.Uint64
	panics  atomic.Uint64 // applying
	ingest  atomic.Uint64 // understanding (the batches' Panics)
	faults  atomic.Uint64 // both: what ingest.ReportPanic counts

	// OnPanic, when set, is told of a panic on one message (a bug): the
	// first few in full, then counts now and then (ingest.ReportPanic), so
	// a bug that hits every message does not flood the server's log or the
	// crash reports. The server logs them, the console writes a crash
	// report. Set it before the first Apply.
	OnPanic func(PanicReport)
	// Redact, when set, blanks secrets in a panic's text before the Errors
	// pane shows it (a careless panic value may hold one).
	Redact func(string) string
	// Recorded, when set, says how many messages the ingest's Tap (the
	// --record recording) holds; asked once, when the Tap stops, so that
	// every message applied past that count is known to be missing from
	// the recording. Set it before the first Apply.
	Recorded func() uint64
	// OnRecordStop, when set, is told once that the Tap stopped (a failed
	// write, or a panic: a bug) after the Errors pane has the report; it
	// says r.Notice to the consoles (the console adds its crash report's
	// place, serve logs it). Without it the writer says the notice itself.
	OnRecordStop func(RecordStop)
	// kept is how many messages the recording kept, once the Tap stopped.
	kept atomic.Pointer[uint64]
	// between, when set, runs between two chunks outside the lock (tests).
	between func(chunk int)
}

// RecordStop is the end of a recording before its time: the ingest's Tap
// (--record) failed, and it is called no more.
type RecordStop struct {
	Text   string        // the Errors pane's report: why, what the file holds, what is missing; redacted
	Notice string        // the same in a footer's words
	Panic  *ingest.Panic // the Tap panicked (a bug); nil for an error it returned
	// Missing is how many messages applied so far the recording misses.
	Missing uint64
}

// NewWriter makes the writer of store.
func NewWriter(store *fleet.Store) *Writer {
	return &Writer{store: store, subs: map[*Sub]struct{}{}}
}

// Store is the shared store; a reader reads it only under RLock, through a
// Reader of its own.
func (w *Writer) Store() *fleet.Store { return w.store }

// Lock is the store's lock.
func (w *Writer) Lock() RWLocker { return &w.mu }

// Applied is the number of items applied so far.
func (w *Writer) Applied() uint64 { return w.applied.Load() }

// Panics is the number of items skipped because applying them panicked.
func (w *Writer) Panics() uint64 { return w.panics.Load() }

// IngestPanics is the number of items the ingest could not understand
// (a panic): they were applied undecoded, each with its error.
func (w *Writer) IngestPanics() uint64 { return w.ingest.Load() }

// PanicReport is a panic caught on one message: a bug in mqdeck.
type PanicReport struct {
	// Applying: applying the item panicked and it was skipped. Otherwise
	// understanding it did (ingest): it was applied undecoded, with an
	// error saying so.
	Applying bool
	// Full: Value, Stack and Topic are set. Otherwise this is a count
	// report: N panics so far, only the first ingest.MaxPanicReports told
	// in full.
	Full  bool
	Value any
	Stack []byte // may be nil past the first few
	Topic string // decode.Safe'd
	N     uint64 // panics so far, of both kinds
}

// Changed is what a console gets when the store moved on.
func (w *Writer) Changed() StoreChangedMsg {
	return StoreChangedMsg{Dropped: w.dropped.Load(), State: w.state.Load()}
}

// Shared is what a console needs to draw the writer's store.
func (w *Writer) Shared(sub *Sub) *Shared {
	sh := &Shared{Lock: &w.mu, RecordKept: w.RecordKept}
	if sub != nil {
		sh.Take = sub.take
	}
	return sh
}

// AddError records an error report in the store.
func (w *Writer) AddError(r fleet.ErrorReport) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.store.AddError(r)
}

// Refresh marks silent systems stale; call it about once a second.
func (w *Writer) Refresh() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.store.Refresh()
}

// RefreshEvery calls Refresh every d until ctx ends: readers never move the
// store's indexes themselves, so silent systems are marked stale here.
func (w *Writer) RefreshEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Refresh()
		}
	}
}

// Apply folds one batch into the store, a chunk per hold of the write lock,
// then tells the consoles, then releases the batch (a paced pump sends the
// next one only then).
func (w *Writer) Apply(b ingest.Batch) {
	n := 0
	for run := range b.All() {
		for i := 0; i < len(run); i += applyChunk {
			if n > 0 && w.between != nil {
				w.between(n)
			}
			w.applyChunk(run[i:min(i+applyChunk, len(run))])
			n++
		}
	}
	for i := range b.Panics {
		p := &b.Panics[i]
		w.ingest.Add(1)
		w.filePanic(PanicReport{Value: p.Value, Stack: p.Stack, Topic: p.Topic})
	}
	w.applied.Add(uint64(b.Len()))
	if b.TapStop != nil {
		w.recordStopped(b.TapStop)
	}
	var refused []mqttconn.SubResult
	for _, subs := range b.Subs {
		for _, r := range subs {
			if r.Err != nil {
				refused = append(refused, r)
				w.AddError(fleet.ErrorReport{
					Source:  fleet.ErrSubscribe,
					Topic:   r.Filter,
					Code:    "SUBSCRIBE_" + strings.ToUpper(r.Outcome()),
					Message: fmt.Sprintf("subscription to %s %s: %v", r.Filter, r.Outcome(), r.Err),
				})
			}
		}
	}
	if b.State != nil {
		st := *b.State
		w.state.Store(&st)
	}
	w.dropped.Store(b.Dropped)
	w.smu.Lock()
	for s := range w.subs {
		s.offer(&b, refused)
	}
	w.smu.Unlock()
	if b.Release != nil {
		b.Release()
	}
}

// applyChunk applies items under the write lock. A panic (a bug in how a
// platform's message is applied) skips that one item, records it in the
// store's errors and tells OnPanic; the items after it are still applied.
// The store counts an item before applying it, which says where it was.
func (w *Writer) applyChunk(items []fleet.Item) {
	for len(items) > 0 {
		counted, v, stack := w.tryApply(items)
		if v == nil {
			return
		}
		at := max(min(counted, len(items))-1, 0)
		topic := decode.Safe(items[at].Msg.Topic)
		w.panics.Add(1)
		w.filePanic(PanicReport{Applying: true, Value: v, Stack: stack, Topic: topic})
		items = items[at+1:]
	}
}

// filePanic files a panic on one message in the Errors pane (INTERNAL_ERROR)
// and tells OnPanic, within ingest.ReportPanic's bounds. A skipped item's
// report is its only trace, so each one is filed; an item ingest could not
// understand carries its own error, so past the first few only counts are.
func (w *Writer) filePanic(r PanicReport) {
	r.N = w.faults.Add(1)
	full, count := ingest.ReportPanic(r.N)
	e := fleet.ErrorReport{Source: fleet.ErrOther, Code: "INTERNAL_ERROR"}
	switch {
	case r.Applying:
		e.Topic = r.Topic
		e.Message = "mqdeck could not apply this message (a bug; the message was skipped): " + w.panicText(r.Value)
	case full:
		e.Topic = r.Topic
		e.Message = "mqdeck could not understand this message (a bug; it is in the log, not decoded, with its error): " + w.panicText(r.Value)
	case count:
		e.Message = fmt.Sprintf("mqdeck could not understand %d messages so far (a bug; each is in the log with its error; the first %d are reported in full)",
			w.ingest.Load(), ingest.MaxPanicReports)
	}
	if e.Message != "" {
		w.AddError(e)
	}
	if (full || count) && w.OnPanic != nil {
		r.Full = full
		if !full {
			r.Value, r.Stack, r.Topic = nil, nil, ""
		}
		w.OnPanic(r)
	}
}

// RecordKept is how many messages the recording kept, once it stopped
// early (stopped false while it goes on). A console counts every message
// of its store past that as missing from the recording.
func (w *Writer) RecordKept() (kept uint64, stopped bool) {
	if k := w.kept.Load(); k != nil {
		return *k, true
	}
	return 0, false
}

// Unrecorded is how many of the messages applied are missing from the
// recording, and whether it stopped (0, false while it goes on).
func (w *Writer) Unrecorded() (missing uint64, stopped bool) {
	kept, stopped := w.RecordKept()
	return pastKept(w.applied.Load(), kept, stopped), stopped
}

// pastKept is how many of messages a stopped recording misses.
func pastKept(messages, kept uint64, stopped bool) uint64 {
	if !stopped || messages <= kept {
		return 0
	}
	return messages - kept
}

// recordStopped files the Tap's end in the Errors pane and has it said
// (OnRecordStop, or a notice). The recording stops for good: a write that
// failed once is not tried again, so the file stays a whole prefix of the
// stream instead of one with a hole nobody sees. Applied counts this
// batch already, the run the Tap failed on included.
func (w *Writer) recordStopped(st *ingest.TapStop) {
	kept := w.applied.Load() // a tap that cannot say: nothing from here on
	if w.Recorded != nil {
		kept = min(w.Recorded(), kept)
	}
	if !w.kept.CompareAndSwap(nil, &kept) {
		return // told already (serve's restarted ingest runs the Tap again)
	}
	missing, _ := w.Unrecorded()
	var why string
	if st.Panic != nil {
		why = "a bug in mqdeck panicked while recording: " + w.panicText(st.Panic.Value)
	} else {
		why = w.panicText(st.Err.Error())
	}
	// The counts first: serve's log cuts a long line at its end.
	are := "are"
	if missing == 1 {
		are = "is"
	}
	text := fmt.Sprintf("recording stopped: it holds the first %s received, whole; the %s received since %s missing from it, and so is every message from now on. Why: %s",
		Messages(kept), Messages(missing), are, why)
	w.AddError(fleet.ErrorReport{Source: fleet.ErrOther, Code: "RECORDING_STOPPED", Message: text})
	r := RecordStop{Text: text, Panic: st.Panic, Missing: missing,
		Notice: fmt.Sprintf("recording stopped: %s missing, see the Errors pane (%s)", Messages(missing), decode.Truncate(why, 80))}
	if w.OnRecordStop != nil {
		w.OnRecordStop(r)
		return
	}
	w.Notify(r.Notice)
}

// panicText is a panic value as the Errors pane shows it.
func (w *Writer) panicText(v any) string {
	s := fmt.Sprint(v)
	if w.Redact != nil {
		s = w.Redact(s)
	}
	return decode.Truncate(decode.Safe(s), 200)
}

// tryApply applies items under the write lock; after a panic, counted is
// how many the store had begun (the last one panicked). Sessions write
// too (an error report), so even the writer reads the store under a lock.
func (w *Writer) tryApply(items []fleet.Item) (counted int, v any, stack []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	before := w.store.Messages()
	defer func() {
		if r := recover(); r != nil {
			counted, v, stack = int(w.store.Messages()-before), r, debug.Stack()
		}
	}()
	w.store.Apply(items)
	return len(items), nil, nil
}

// Subscribe adds a console. maxPending bounds the items it has not taken
// for its action matching (0: no bound): a session whose client stopped
// reading takes none, and past the bound its oldest are let go (counted;
// the store has them all, only that session's answer matching misses them).
func (w *Writer) Subscribe(maxPending int) *Sub {
	s := &Sub{notify: make(chan struct{}, 1), max: maxPending}
	w.smu.Lock()
	w.subs[s] = struct{}{}
	w.smu.Unlock()
	return s
}

// SubscribeHeld adds the console of a writer that may wait for it (the
// plain console's one program): past maxPending untaken items the writer
// waits until the console takes them, so a program that stopped (a stuck
// terminal) holds ingest back, as a store that falls behind does, and
// every item still reaches its tracker once. Close it when the program
// has ended.
func (w *Writer) SubscribeHeld(maxPending int) *Sub {
	s := w.Subscribe(maxPending)
	s.hold = true
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Unsubscribe removes a console.
func (w *Writer) Unsubscribe(s *Sub) {
	w.smu.Lock()
	delete(w.subs, s)
	w.smu.Unlock()
}

// Notify wakes every console without new data (a notice for all).
func (w *Writer) Notify(notice string) {
	w.smu.Lock()
	for s := range w.subs {
		s.say(notice)
	}
	w.smu.Unlock()
}

// Sub is one console's line from the writer: a wake-up that never blocks
// the writer (one pending at most), the items it has not matched yet, and
// the news since it last looked.
type Sub struct {
	notify chan struct{}
	max    int
	hold   bool       // past max, offer waits for take instead of letting go
	cond   *sync.Cond // with hold: take or Close happened
	closed bool
	mu     sync.Mutex
	news   News
	n      int
	lost   uint64 // items let go unmatched (a session that stopped reading)
}

// News is what a console takes when woken.
type News struct {
	Items   [][]fleet.Item       // applied since, for the action tracker
	Refused []mqttconn.SubResult // filters not granted (refused or failed)
	Done    bool                 // the input ended
	Notices []string             // said to every console
}

// Notify fires when the store moved on since the last receive.
func (s *Sub) Notify() <-chan struct{} { return s.notify }

// Lost is how many items this console let go unmatched.
func (s *Sub) Lost() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

func (s *Sub) offer(b *ingest.Batch, refused []mqttconn.SubResult) {
	s.mu.Lock()
	for items := range b.All() {
		s.news.Items = append(s.news.Items, items)
		s.n += len(items)
	}
	for s.hold && s.max > 0 && s.n > s.max && !s.closed {
		s.wake() // the channel send never blocks
		s.cond.Wait()
	}
	for !s.hold && s.max > 0 && s.n > s.max && len(s.news.Items) > 1 {
		s.n -= len(s.news.Items[0])
		s.lost += uint64(len(s.news.Items[0]))
		s.news.Items[0] = nil
		s.news.Items = s.news.Items[1:]
	}
	s.news.Refused = append(s.news.Refused, refused...)
	s.news.Done = s.news.Done || b.Done
	s.mu.Unlock()
	s.wake()
}

func (s *Sub) say(notice string) {
	s.mu.Lock()
	if len(s.news.Notices) < 16 {
		s.news.Notices = append(s.news.Notices, notice)
	}
	s.mu.Unlock()
	s.wake()
}

func (s *Sub) wake() {
	select {
	case s.notify <- struct{}{}:
	default: // one wake-up is pending already: it will see this too
	}
}

// take returns and forgets the news.
func (s *Sub) take() News {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.news
	s.news, s.n = News{}, 0
	if s.cond != nil {
		s.cond.Broadcast()
	}
	return out
}

// Close lets a writer waiting for this console go on: its program ended.
func (s *Sub) Close() {
	s.mu.Lock()
	s.closed = true
	if s.cond != nil {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

// Messages is "1 message" or "n messages".
func Messages(n uint64) string {
	if n == 1 {
		return "1 message"
	}
	return strconv.FormatUint(n, 10) + " messages"
}
