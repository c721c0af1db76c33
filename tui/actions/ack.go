package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// AckHelp is what the console says when `a` is pressed without a GraphQL
// endpoint and token: DRIVR acknowledges events only through its GraphQL API.
const AckHelp = "acknowledging needs DRIVR's GraphQL API: set graphql_endpoint " +
	"(e.g. https://<slug>.api.drivr.cloud/graphql) and graphql_token_env or " +
	"graphql_token_file in the profile"

// ErrAckNotConfigured is returned when the endpoint or token is missing.
var ErrAckNotConfigured = errors.New(AckHelp)

// uuidRE accepts the canonical 8-4-4-4-12 hex form; only such a string is
// ever placed into the mutation text.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a canonical UUID.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }

// AckClient calls DRIVR's ackEvent mutation.
type AckClient struct {
	Endpoint string        // GraphQL URL
	Token    string        // bearer token (secret: never shown, logged or returned in errors)
	Timeout  time.Duration // default 10s
	HTTP     *http.Client  // default: a client with Timeout
}

// Configured reports whether both endpoint and token are set.
func (c AckClient) Configured() bool { return c.Endpoint != "" && c.Token != "" }

// AckResult is the answer of one acknowledgement, as a value.
type AckResult struct {
	UUID   string
	OK     bool
	Status int      // HTTP status, 0 when no answer came
	Errors []string // GraphQL errors or the transport failure (terminal-unsafe: sanitize)
	At     time.Time
}

// Err summarises a failed result, nil when OK.
func (r AckResult) Err() error {
	if r.OK {
		return nil
	}
	if len(r.Errors) == 0 {
		return errors.New("ackEvent: not acknowledged")
	}
	return errors.New("ackEvent: " + strings.Join(r.Errors, "; "))
}

// AckMutation is the mutation text for one event, in the literal form DRIVR's
// guide shows (seed 001). The uuid is checked first, so nothing else can be
// injected into the document.
func AckMutation(eventUUID string) (string, error) {
	if !IsUUID(eventUUID) {
		return "", fmt.Errorf("ackEvent: %q is not an event uuid", eventUUID)
	}
	return fmt.Sprintf(`mutation ackEvent { ackEvent(uuid: "%s") { ok } }`, strings.ToLower(eventUUID)), nil
}

type gqlResponse struct {
	Data *struct {
		AckEvent *struct {
			OK bool `json:"ok"`
		} `json:"ackEvent"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// Ack acknowledges one event. Every failure comes back inside the result.
func (c AckClient) Ack(ctx context.Context, eventUUID string) AckResult {
	res := AckResult{UUID: eventUUID}
	fail := func(format string, a ...any) AckResult {
		res.Errors = append(res.Errors, c.scrub(fmt.Sprintf(format, a...)))
		res.At = time.Now()
		return res
	}
	if !c.Configured() {
		return fail("%s", AckHelp)
	}
	q, err := AckMutation(eventUUID)
	if err != nil {
		return fail("%v", err)
	}
	body, err := json.Marshal(map[string]any{"query": q, "operationName": "ackEvent"})
	if err != nil {
		return fail("ackEvent: encode: %v", err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fail("ackEvent: bad endpoint %s", redactURL(c.Endpoint))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL; keep the cause only
		}
		return fail("ackEvent: POST %s: %v", redactURL(c.Endpoint), err)
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fail("ackEvent: read answer: %v", err)
	}
	var g gqlResponse
	if jerr := json.Unmarshal(raw, &g); jerr != nil {
		if resp.StatusCode/100 != 2 {
			return fail("ackEvent: HTTP %d", resp.StatusCode)
		}
		return fail("ackEvent: answer is not JSON: %v", jerr)
	}
	for _, e := range g.Errors {
		res.Errors = append(res.Errors, c.scrub(e.Message))
	}
	if resp.StatusCode/100 != 2 && len(res.Errors) == 0 {
		return fail("ackEvent: HTTP %d", resp.StatusCode)
	}
	if g.Data != nil && g.Data.AckEvent != nil {
		res.OK = g.Data.AckEvent.OK && len(g.Errors) == 0
	}
	if !res.OK && len(res.Errors) == 0 {
		res.Errors = append(res.Errors, "ackEvent answered ok=false")
	}
	res.At = time.Now()
	return res
}

// scrub removes the token from text a server or library produced, in case
// something echoes the request headers back.
func (c AckClient) scrub(s string) string {
	if c.Token != "" {
		s = strings.ReplaceAll(s, c.Token, Mask)
	}
	return s
}

// redactURL drops user info and the query string from an endpoint for display.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}
