package actions

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secret names where a secret lives: an environment variable or a file. The
// profile holds the name, never the value.
type Secret struct {
	Env  string // environment variable holding the secret
	File string // file holding the secret (trailing newline trimmed)
	// Public is a value that is no secret at all (the demo simulator's
	// published key), used when neither Env nor File is named. Profiles
	// cannot set it.
	Public string
}

// ErrNoSecret says the profile names no source for a secret.
var ErrNoSecret = errors.New("no secret configured")

// Configured reports whether a source is named.
func (s Secret) Configured() bool { return s.Env != "" || s.File != "" || s.Public != "" }

// Where describes the source for messages, without the value.
func (s Secret) Where() string {
	switch {
	case s.Env != "" && s.File != "":
		return fmt.Sprintf("env %s or file %s", s.Env, s.File)
	case s.Env != "":
		return "env " + s.Env
	case s.File != "":
		return "file " + s.File
	case s.Public != "":
		return "the built-in demo key"
	}
	return "nowhere"
}

// Load reads the secret. The environment variable wins when it is set and
// not empty. Errors name the source, never the value.
func (s Secret) Load() (string, error) {
	if !s.Configured() {
		return "", ErrNoSecret
	}
	if s.Env == "" && s.File == "" {
		return s.Public, nil
	}
	if s.Env != "" {
		if v := os.Getenv(s.Env); v != "" {
			return v, nil
		}
		if s.File == "" {
			return "", fmt.Errorf("secret: env %s is empty or unset", s.Env)
		}
	}
	b, err := os.ReadFile(s.File)
	if err != nil {
		// The os error carries the path only, not the content.
		return "", fmt.Errorf("secret: read file: %w", err)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("secret: file %s is empty", s.File)
	}
	return v, nil
}

// Mask is what the screen and the audit show instead of a secret.
const Mask = "••••••"
