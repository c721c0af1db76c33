package actions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testToken = "tok-Sup3rSecret-123"
	eventUUID = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
)

// gqlServer answers like DRIVR's GraphQL API: it checks the bearer token and
// the mutation, and records what it saw.
func gqlServer(t *testing.T, answer func(w http.ResponseWriter, query string)) (*httptest.Server, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"message":"not authenticated"}]}`)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
			return
		}
		var body struct {
			Query string `json:"query"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		seen = append(seen, body.Query)
		answer(w, body.Query)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestAckSendsMutationWithBearer(t *testing.T) {
	srv, seen := gqlServer(t, func(w http.ResponseWriter, q string) {
		want := `mutation ackEvent { ackEvent(uuid: "` + eventUUID + `") { ok } }`
		if q != want {
			_, _ = io.WriteString(w, `{"errors":[{"message":"unexpected query"}]}`)
			return
		}
		_, _ = io.WriteString(w, `{ "data": { "ackEvent": { "ok": true } } }`)
	})
	c := AckClient{Endpoint: srv.URL, Token: testToken, Timeout: 2 * time.Second}
	res := c.Ack(context.Background(), eventUUID)
	if !res.OK || res.Err() != nil || res.Status != 200 {
		t.Fatalf("ack: %+v", res)
	}
	if len(*seen) != 1 {
		t.Fatalf("server saw %d requests", len(*seen))
	}
}

func TestAckFailuresAreValuesWithoutToken(t *testing.T) {
	srv, _ := gqlServer(t, func(w http.ResponseWriter, q string) {
		// A hostile or buggy server echoing the token back.
		_, _ = io.WriteString(w, `{"data":{"ackEvent":null},"errors":[{"message":"event not found; you sent Bearer `+testToken+`"}]}`)
	})
	c := AckClient{Endpoint: srv.URL, Token: testToken, Timeout: 2 * time.Second}
	res := c.Ack(context.Background(), eventUUID)
	if res.OK || res.Err() == nil {
		t.Fatalf("want failure: %+v", res)
	}
	if !strings.Contains(res.Err().Error(), "event not found") {
		t.Errorf("error lost: %v", res.Err())
	}
	if strings.Contains(res.Err().Error(), testToken) {
		t.Errorf("token leaked: %v", res.Err())
	}

	bad := AckClient{Endpoint: srv.URL, Token: "wrong-token-xyz", Timeout: 2 * time.Second}
	res = bad.Ack(context.Background(), eventUUID)
	if res.OK || res.Status != http.StatusUnauthorized || !strings.Contains(res.Err().Error(), "not authenticated") {
		t.Errorf("wrong token: %+v", res)
	}
}

func TestAckTimeoutAndUnreachable(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c := AckClient{Endpoint: srv.URL + "/graphql", Token: testToken, Timeout: 150 * time.Millisecond}
	start := time.Now()
	res := c.Ack(context.Background(), eventUUID)
	if res.OK || time.Since(start) > 3*time.Second {
		t.Fatalf("timeout: %+v after %v", res, time.Since(start))
	}
	if strings.Contains(res.Err().Error(), testToken) {
		t.Error("token in timeout error")
	}

	down := AckClient{Endpoint: "http://user:pw@127.0.0.1:1/graphql?token=" + testToken, Token: testToken, Timeout: time.Second}
	res = down.Ack(context.Background(), eventUUID)
	msg := res.Err().Error()
	if res.OK || strings.Contains(msg, testToken) || strings.Contains(msg, "pw@") {
		t.Errorf("unreachable: %q", msg)
	}
}

func TestAckRefusesBadUUIDAndUnconfigured(t *testing.T) {
	called := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	defer srv.Close()
	c := AckClient{Endpoint: srv.URL, Token: testToken}
	for _, bad := range []string{"", "not-a-uuid", `a707aa3a-b44f-42e0-9ab8-b8efe13409c8") { ok } } mutation x { y(`} {
		if res := c.Ack(context.Background(), bad); res.OK {
			t.Errorf("%q accepted", bad)
		}
	}
	if called {
		t.Error("a bad uuid reached the server")
	}
	res := AckClient{}.Ack(context.Background(), eventUUID)
	if res.OK || !strings.Contains(res.Err().Error(), "graphql_endpoint") {
		t.Errorf("unconfigured: %v", res.Err())
	}
	if (AckClient{Endpoint: "x"}).Configured() || !c.Configured() {
		t.Error("Configured")
	}
}
