package actions

import (
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Phase is where an action's publish stands at the transport.
type Phase int

const (
	PhaseSending  Phase = iota // confirmed, publish in flight
	PhaseAcked                 // broker acknowledged (or QoS 0 written)
	PhaseRefused               // broker reason code >= 0x80
	PhaseTimeout               // no acknowledgement in time
	PhaseOffline               // not connected: nothing was sent
	PhaseReadOnly              // --readonly: the transport refused
	PhaseFailed                // any other local error
)

// PhaseOf maps a transport outcome to a phase.
func PhaseOf(o mqttconn.Outcome) Phase {
	switch o {
	case mqttconn.OutcomeAcked:
		return PhaseAcked
	case mqttconn.OutcomeRefused:
		return PhaseRefused
	case mqttconn.OutcomeTimeout:
		return PhaseTimeout
	case mqttconn.OutcomeOffline:
		return PhaseOffline
	case mqttconn.OutcomeReadOnly:
		return PhaseReadOnly
	}
	return PhaseFailed
}

// Word is the phase in one word for screens and the audit.
func (p Phase) Word() string {
	switch p {
	case PhaseSending:
		return "sending"
	case PhaseAcked:
		return "acked"
	case PhaseRefused:
		return "refused"
	case PhaseTimeout:
		return "timeout"
	case PhaseOffline:
		return "offline"
	case PhaseReadOnly:
		return "read-only"
	}
	return "failed"
}

// AnswerKind is what kind of answer the platform gave.
type AnswerKind string

const (
	AnswerEventCreated  AnswerKind = "event"         // DRIVR created the event
	AnswerEventState    AnswerKind = "state"         // ACTIVE / RESOLVED
	AnswerEventAck      AnswerKind = "ack"           // acknowledged (…/ack topic)
	AnswerPlatformError AnswerKind = "error"         // the input topic's /error twin
	AnswerReply         AnswerKind = "reply"         // response topic + correlation data
	AnswerCommandStatus AnswerKind = "command"       // device API command status
	AnswerActionStatus  AnswerKind = "action-status" // SmartWorks action status
	AnswerReported      AnswerKind = "reported"      // Drogue device's next event, SmartWorks status twin
)

// Answer is one message from the platform matched to an action. Strings are
// from the network: sanitize before display.
type Answer struct {
	Kind      AnswerKind
	At        time.Time
	Topic     string
	EventUUID string // AnswerEventCreated
	State     string // event state, command or action status
	Code      string // platform error code (SOME_DATA_INVALID)
	Message   string // platform error message, per-item errors joined
	Summary   string // one line of the payload
}

// Tone is how a status should be painted; the word and glyph carry it too.
type Tone int

const (
	TonePending Tone = iota
	ToneOK
	ToneWarn
	ToneError
)

// Status is the visible lifecycle of one action: a glyph and a word, never
// colour alone.
type Status struct {
	Glyph string
	Word  string
	Tone  Tone
}

// Outcome names the entry's current state for the audit: the phase, then
// the latest platform answer when one came.
func (e *Entry) Outcome() string {
	if e.Unanswered && len(e.Answers) == 0 {
		return "no_answer"
	}
	if a, ok := e.LastAnswer(); ok {
		switch a.Kind {
		case AnswerPlatformError:
			return "platform_error:" + a.Code
		case AnswerEventState, AnswerCommandStatus, AnswerActionStatus:
			return string(a.Kind) + ":" + a.State
		case AnswerReported:
			if a.State != "" {
				return string(a.Kind) + ":" + a.State
			}
		}
		return string(a.Kind)
	}
	return e.Phase.Word()
}

// Status is the glyph and word the Actions pane shows. A platform answer
// outranks a missing PUBACK: if the platform answered, the message arrived.
func (e *Entry) Status() Status {
	switch e.Phase {
	case PhaseRefused:
		w := "refused"
		if e.Result.ReasonCode != 0 {
			w = fmt.Sprintf("refused 0x%02X", e.Result.ReasonCode)
		}
		return Status{"✗", w, ToneError}
	case PhaseOffline:
		return Status{"⊘", "offline, not sent", ToneError}
	case PhaseReadOnly:
		return Status{"⊘", "read-only, not sent", ToneWarn}
	case PhaseFailed:
		return Status{"✗", "failed", ToneError}
	}
	a, ok := e.LastAnswer()
	if !ok {
		switch {
		case e.Unanswered && e.Action.Expect.onlyErrors():
			return Status{"✓", "no error in " + fmtWindow(), ToneOK}
		case e.Unanswered && e.Action.Expect.ReportDevice != "":
			return Status{"⧗", "no device event in " + fmtWindow(), ToneWarn}
		case e.Unanswered:
			return Status{"⧗", "no answer in " + fmtWindow(), ToneWarn}
		case e.Phase == PhaseSending:
			return Status{"◌", "sending", TonePending}
		case e.Phase == PhaseTimeout:
			return Status{"⧗", "timed out", ToneError}
		}
		return Status{"✓", "acked", ToneOK}
	}
	switch a.Kind {
	case AnswerPlatformError:
		w := "error"
		if a.Code != "" {
			w += " " + a.Code
		}
		return Status{"✗", w, ToneError}
	case AnswerEventCreated:
		if a.State != "" {
			return Status{"●", "event created, " + a.State, ToneOK}
		}
		return Status{"●", "event created", ToneOK}
	case AnswerEventState:
		if a.State == "" {
			return Status{"●", "event updated", ToneOK}
		}
		return Status{"●", "event " + a.State, ToneOK}
	case AnswerEventAck:
		return Status{"✔", "acknowledged", ToneOK}
	case AnswerReply:
		return Status{"↩", "reply", ToneOK}
	case AnswerReported:
		if e.Action.Expect.ReportDevice != "" {
			return Status{"↩", "device event", ToneOK}
		}
		if a.State != "" {
			return Status{"↩", "reported " + a.State, ToneOK}
		}
		return Status{"↩", "reported", ToneOK}
	case AnswerCommandStatus, AnswerActionStatus:
		switch a.State {
		case "done", "completed":
			return Status{"✔", a.State, ToneOK}
		case "error", "failed":
			return Status{"✗", a.State, ToneError}
		}
		return Status{"…", a.State, TonePending}
	}
	return Status{"✓", string(a.Kind), ToneOK}
}

// NoAnswerText explains an action that waited in vain, for the line under
// it: what was waited for and why nothing more will come.
func (e *Entry) NoAnswerText() string {
	if !e.Unanswered {
		return ""
	}
	x := e.Action.Expect
	switch {
	case x.onlyErrors():
		return "no error report within " + fmtWindow() + "; the platform sends no other answer to this"
	case x.ReportDevice != "":
		return "Drogue keeps no command status, and " + x.ReportDevice + " sent no event within " + fmtWindow() +
			": offline, unknown, or it ignored the command"
	case e.Action.Platform == platform.DRIVR && e.Action.Kind == KindSetSetpoint && x.ReportTopic != "":
		return "no error report and no " + e.Action.Name + " datapoint within " + fmtWindow() +
			": the device may not have applied it, or reports it later"
	}
	return "nothing came back within " + fmtWindow() + "; no longer waiting"
}

// fmtWindow is the answer window in words ("2m").
func fmtWindow() string {
	if answerWindow%time.Minute == 0 {
		return fmt.Sprintf("%dm", answerWindow/time.Minute)
	}
	return answerWindow.String()
}
