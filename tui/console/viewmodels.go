package console

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/views"
)

// The root builds what the status bar and the confirmation show from the
// transport's and the actions' types, so views draws without importing
// mqttconn.

// connState is the bar's view of a connection state that arrived at now.
// The countdown runs from the arrival: the state's At is the transport's
// wall clock, which a test's or a replay's clock does not share.
func connState(s mqttconn.State, now time.Time, retryKey string) views.ConnState {
	cs := views.ConnState{Protocol: s.Protocol, Attempt: s.Attempt}
	if s.Err != nil {
		cs.Err = s.Err.Error()
		cs.Why = gist(cs.Err)
	}
	switch s.Kind {
	case mqttconn.StateConnected:
		cs.Kind = views.ConnUp
	case mqttconn.StateReconnecting:
		cs.Kind = views.ConnRetrying
		if s.RetryIn > 0 {
			cs.RetryAt = now.Add(s.RetryIn)
		}
		cs.RetryKey = retryKey
	case mqttconn.StateStopped:
		cs.Kind = views.ConnStopped
	default:
		cs.Kind = views.ConnConnecting
	}
	return cs
}

// gist is the first clause of a connection error, up to its first
// parenthesis, colon or semicolon: "credentials refused (not authorized):
// re-reading --token-file F at the next attempt" gives "credentials
// refused", which a narrow status bar can still show.
func gist(err string) string {
	end := len(err)
	for _, sep := range []string{" (", ": ", "; "} {
		if i := strings.Index(err, sep); i >= 0 && i < end {
			end = i
		}
	}
	g := err[:end]
	if r := []rune(g); len(r) > 40 {
		g = string(r[:39]) + "…"
	}
	return g
}

// actionTitle is the action's kind in its platform's words.
func actionTitle(a actions.Action) string {
	if a.Title != "" {
		return a.Title
	}
	return a.Kind.Title()
}

// confirmModel is exactly what a will leave, secrets masked.
func confirmModel(a actions.Action) views.ConfirmModel {
	r := a.Request
	cm := views.ConfirmModel{
		ID:       a.ID,
		Title:    "Confirm " + strings.ToLower(actionTitle(a)),
		Topic:    r.Topic,
		QoS:      r.QoS,
		Retain:   r.Retain,
		Payload:  r.Payload,
		Encoding: a.Encoding,
	}
	if e := a.Target.Entity(); e != "" {
		cm.Target = a.Target.Platform + " " + e
	}
	if p := r.Props; p != nil {
		cm.Props = true
		cm.ContentType = p.ContentType
		cm.ResponseTopic = p.ResponseTopic
		cm.Correlation = p.CorrelationData
		for _, u := range a.DisplayProps() {
			cm.User = append(cm.User, [2]string{u.Key, u.Value})
		}
	}
	cm.Stamped = payloadTime(a)
	return cm
}

// payloadTime is the time a DRIVR event carries in its payload: it was
// taken when the form was reviewed, and is sent as it stands.
func payloadTime(a actions.Action) time.Time {
	if a.Platform != platform.DRIVR || a.Kind != actions.KindTriggerEvent {
		return time.Time{}
	}
	ct := ""
	if a.Request.Props != nil {
		ct = a.Request.Props.ContentType
	}
	v := decode.Decode(a.Request.Payload, decode.Hints{Encoding: a.Encoding, ContentType: ct}, decode.DefaultLimits())
	if v.Data.Kind != decode.KindObject {
		return time.Time{}
	}
	for _, f := range v.Data.Fields {
		if f.Key == "time" {
			if !f.Value.Time.IsZero() {
				return f.Value.Time // msgpack timestamp
			}
			if t, err := time.Parse(time.RFC3339Nano, f.Value.Str); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}
