package actions

import (
	"context"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// KindClearRetained is the audit's kind for clearing a retained message:
// an empty retained publish to one topic.
const KindClearRetained Kind = "clear_retained"

// Publisher sends one message (an mqttconn.Client).
type Publisher interface {
	Publish(ctx context.Context, req mqttconn.PublishRequest) mqttconn.PublishResult
}

// ClearResult says what a retained cleanup did.
type ClearResult struct {
	Cleared  []string // topics whose clear the broker acknowledged
	Failed   []string // topics not cleared, in the order tried
	Reason   string   // why the first failure failed (terminal-unsafe)
	ReadOnly bool     // the transport refused: --readonly
	Stopped  bool     // the rest was not tried (read-only, offline, context ended)
}

// ClearRetained publishes an empty retained message (QoS 1, so the broker
// acknowledges each) to exactly the topics given, in order, and audits each
// outcome when audit is not nil. It stops at the first refusal that would
// refuse every other one too: read-only, offline, or ctx ended.
func ClearRetained(ctx context.Context, p Publisher, topics []string, audit *Audit, timeout time.Duration) (ClearResult, error) {
	var res ClearResult
	var auditErr error
	for i, t := range topics {
		if ctx.Err() != nil {
			res.Failed = append(res.Failed, topics[i:]...)
			res.Stopped = true
			if res.Reason == "" {
				res.Reason = ctx.Err().Error()
			}
			break
		}
		req := mqttconn.PublishRequest{Topic: t, QoS: 1, Retain: true}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		r := p.Publish(pctx, req)
		cancel()
		if err := audit.WriteClear(req, r); err != nil && auditErr == nil {
			auditErr = err
		}
		if r.Outcome == mqttconn.OutcomeAcked {
			res.Cleared = append(res.Cleared, t)
			continue
		}
		res.Failed = append(res.Failed, t)
		if res.Reason == "" {
			res.Reason = outcomeWord(r.Outcome)
			if r.Reason != "" {
				res.Reason += ": " + r.Reason
			}
		}
		if r.Outcome == mqttconn.OutcomeReadOnly || r.Outcome == mqttconn.OutcomeOffline {
			res.ReadOnly = r.Outcome == mqttconn.OutcomeReadOnly
			res.Failed = append(res.Failed, topics[i+1:]...)
			res.Stopped = true
			break
		}
	}
	return res, auditErr
}

func outcomeWord(o mqttconn.Outcome) string {
	switch o {
	case mqttconn.OutcomeAcked:
		return "acked"
	case mqttconn.OutcomeRefused:
		return "refused"
	case mqttconn.OutcomeTimeout:
		return "timeout"
	case mqttconn.OutcomeOffline:
		return "offline"
	case mqttconn.OutcomeReadOnly:
		return "read_only"
	}
	return "failed"
}

// WriteClear appends the line of one retained clear: the topic, the empty
// retained publish and the transport's outcome.
func (a *Audit) WriteClear(req mqttconn.PublishRequest, r mqttconn.PublishResult) error {
	if a == nil {
		return nil
	}
	act := Action{ID: NewID(), Kind: KindClearRetained, Request: req}
	return a.write(AuditRecord{
		Time:          a.now().UTC().Format(time.RFC3339Nano),
		Operator:      a.Operator,
		Action:        act.ID,
		Kind:          KindClearRetained,
		Topic:         req.Topic,
		QoS:           req.QoS,
		Retain:        true,
		PayloadSHA256: act.Digest(),
		Outcome:       outcomeWord(r.Outcome),
		ReasonCode:    r.ReasonCode,
		Reason:        r.Reason,
	})
}
