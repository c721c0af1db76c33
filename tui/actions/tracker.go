package actions

import (
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Entry is one tracked action and what became of it.
type Entry struct {
	Seq     int // 1, 2, 3 … in this session: what the pane shows
	Action  Action
	Phase   Phase
	Result  mqttconn.PublishResult
	SentAt  time.Time
	DoneAt  time.Time // when the broker's answer (or the refusal) came
	Answers []Answer  // newest last, at most maxAnswers
	// EventUUID is set once DRIVR's created event was matched; its state and
	// ack topics are matched by it afterwards.
	EventUUID string
	// DroppedAnswers counts answers beyond maxAnswers.
	DroppedAnswers int
	// Unanswered: the answer window passed without any answer although
	// one was expected (Tracker.Expire); the entry stops waiting.
	Unanswered bool
}

// LastAnswer is the newest platform answer.
func (e *Entry) LastAnswer() (Answer, bool) {
	if len(e.Answers) == 0 {
		return Answer{}, false
	}
	return e.Answers[len(e.Answers)-1], true
}

// Change reports that an entry moved on; the root writes it to the audit and
// may flash it in the status bar.
type Change struct {
	Seq     int
	ID      string
	Outcome string // Entry.Outcome() after the change
}

const (
	defaultCap = 200
	maxAnswers = 16
	// answerWindow bounds how long after sending a platform answer is
	// still matched to an action by content (not by id).
	answerWindow = 2 * time.Minute
)

// Tracker keeps the recent actions and matches the platform's answers to
// them. Bounded: past Cap the oldest entries go, and Evicted counts them.
// Not safe for concurrent use: the root model owns it.
type Tracker struct {
	Cap     int
	entries []*Entry // oldest first
	next    int
	evicted int
}

// NewTracker makes a tracker holding at most cap entries (default 200).
func NewTracker(cap int) *Tracker {
	if cap <= 0 {
		cap = defaultCap
	}
	return &Tracker{Cap: cap}
}

// Len is the number of entries kept.
func (t *Tracker) Len() int { return len(t.entries) }

// Evicted counts entries dropped to stay under Cap.
func (t *Tracker) Evicted() int { return t.evicted }

// Add records a confirmed action as sending and returns its entry.
func (t *Tracker) Add(a Action, at time.Time) *Entry {
	t.next++
	e := &Entry{Seq: t.next, Action: a, Phase: PhaseSending, SentAt: at}
	t.entries = append(t.entries, e)
	if over := len(t.entries) - t.Cap; over > 0 {
		clear(t.entries[:over])
		t.entries = append(t.entries[:0], t.entries[over:]...)
		t.evicted += over
	}
	return e
}

// Get finds an entry by action id.
func (t *Tracker) Get(id string) (*Entry, bool) {
	for i := len(t.entries) - 1; i >= 0; i-- {
		if t.entries[i].Action.ID == id {
			return t.entries[i], true
		}
	}
	return nil, false
}

// Entries returns the entries newest first (a fresh slice; entries are shared).
func (t *Tracker) Entries() []*Entry {
	out := make([]*Entry, len(t.entries))
	for i, e := range t.entries {
		out[len(out)-1-i] = e
	}
	return out
}

// Result records the transport's answer for an action.
func (t *Tracker) Result(id string, r mqttconn.PublishResult, at time.Time) (Change, bool) {
	e, ok := t.Get(id)
	if !ok {
		return Change{}, false
	}
	e.Result = r
	e.Phase = PhaseOf(r.Outcome)
	e.DoneAt = at
	return change(e), true
}

func change(e *Entry) Change {
	return Change{Seq: e.Seq, ID: e.Action.ID, Outcome: e.Outcome()}
}

func (e *Entry) addAnswer(a Answer) {
	if len(e.Answers) >= maxAnswers {
		copy(e.Answers, e.Answers[1:])
		e.Answers = e.Answers[:len(e.Answers)-1]
		e.DroppedAnswers++
	}
	e.Answers = append(e.Answers, a)
	e.Unanswered = false // a late answer still counts
}

// Expire ends the wait of every action whose answer window has passed
// with no answer although one was expected, so the pane says so instead of
// "acked" for ever. The root calls it when the window of an action ends
// (AnswerWindow after the publish) and on batches.
func (t *Tracker) Expire(now time.Time) []Change {
	var out []Change
	for _, e := range t.entries {
		if e.Unanswered || len(e.Answers) > 0 || !e.Action.Expect.waits() || now.Sub(e.SentAt) <= answerWindow {
			continue
		}
		switch e.Phase {
		case PhaseAcked, PhaseTimeout:
			e.Unanswered = true
			out = append(out, change(e))
		}
	}
	return out
}

// AnswerWindow is how long after sending an action waits for its answer.
func AnswerWindow() time.Duration { return answerWindow }

// awaiting reports whether the entry may still get a content-matched answer.
func (e *Entry) awaiting(now time.Time) bool {
	switch e.Phase {
	case PhaseSending, PhaseAcked, PhaseTimeout:
		// A timed-out QoS 1 publish may still have arrived.
	default:
		return false
	}
	return now.Sub(e.SentAt) <= answerWindow
}
