package console

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// inflight holds the publishes a console started until their answer has
// been through its Update. A console that ends meanwhile (the operator
// quits, an SSH session drops) would lose the answer, and with it the
// action's audit line: Settle takes them in after the program has ended.
type inflight struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started map[string]bool         // id -> publish running
	done    map[string]PublishedMsg // answered, not yet in Update
}

func newInflight() *inflight {
	f := &inflight{started: map[string]bool{}, done: map[string]PublishedMsg{}}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// track wraps the command that publishes action id.
func (f *inflight) track(id string, cmd tea.Cmd) tea.Cmd {
	f.mu.Lock()
	f.started[id] = true
	f.mu.Unlock()
	return func() tea.Msg {
		msg := cmd()
		if p, ok := msg.(PublishedMsg); ok {
			f.mu.Lock()
			if f.started[id] {
				f.done[id] = p
			}
			f.mu.Unlock()
			f.cond.Broadcast()
		}
		return msg
	}
}

// taken: Update has the answer of id.
func (f *inflight) taken(id string) {
	f.mu.Lock()
	delete(f.started, id)
	delete(f.done, id)
	f.mu.Unlock()
}

// wait returns the answers not yet taken, waiting up to d for the running
// ones; ids still running then come back as unanswered.
func (f *inflight) wait(d time.Duration) (answers []PublishedMsg, unanswered []string) {
	deadline := time.Now().Add(d)
	wake := time.AfterFunc(d, f.cond.Broadcast)
	defer wake.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.done) < len(f.started) && time.Now().Before(deadline) {
		f.cond.Wait()
	}
	for id := range f.started {
		if p, ok := f.done[id]; ok {
			answers = append(answers, p)
		} else {
			unanswered = append(unanswered, id)
		}
	}
	return answers, unanswered
}

// Settle takes in the answers of the publishes still running when the
// console's program ended, waiting for them up to the publish timeout (and
// a second), so each action's answer reaches the tracker and the audit.
// A publish still running after that is audited as failed: the session
// ended before it finished. Call it once the program has returned.
func (m *Model) Settle() {
	d := m.act.cfg.Timeout
	if d <= 0 {
		d = defaultPublishTimeout
	}
	answers, unanswered := m.flight.wait(d + time.Second)
	for _, p := range answers {
		m.Update(p)
	}
	for _, id := range unanswered {
		m.Update(PublishedMsg{ID: id, At: m.now(), Result: mqttconn.PublishResult{
			Outcome: mqttconn.OutcomeFailed, Reason: "the session ended before the publish finished; whether it reached the broker is unknown"}})
	}
}
