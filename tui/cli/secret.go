package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// defaultPasswordEnv is used when no password source is named but it is set.
const defaultPasswordEnv = "MQDECK_PASSWORD"

// maxSecretFile bounds what is read from a password file.
const maxSecretFile = 64 << 10

// secrets holds what was read; it is never printed, logged or recorded.
type secrets struct {
	password string
	token    string
}

// secrets reads the password and token from the sources the flags name.
// Error messages name the variable or file, never the value.
func (c *ConnFlags) secrets(warn func(string)) (secrets, error) {
	var s secrets
	if c.PasswordEnv != "" && c.PasswordFile != "" {
		return s, usageError{errors.New("give --password-env or --password-file, not both")}
	}
	var err error
	switch {
	case c.PasswordEnv != "":
		s.password, err = secretFromEnv(c.PasswordEnv, "--password-env")
	case c.PasswordFile != "":
		s.password, err = secretFromFile(c.PasswordFile, warn)
	default:
		s.password = os.Getenv(defaultPasswordEnv)
	}
	if err != nil {
		return s, err
	}
	if c.TokenEnv != "" {
		if s.token, err = secretFromEnv(c.TokenEnv, "--token-env"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func secretFromEnv(name, flag string) (string, error) {
	if !isEnvName(name) {
		return "", usageError{fmt.Errorf("%s takes the NAME of an environment variable, and this is not one", flag)}
	}
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", usageError{fmt.Errorf("%s: environment variable %s is not set or empty", flag, name)}
	}
	return v, nil
}

// secretFromFile reads the first line of a file. A file others can read is
// still used, with a warning that says so (and nothing of its content).
func secretFromFile(path string, warn func(string)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		warn(fmt.Sprintf("password file %s is readable by others (mode %04o); chmod 600 it", path, st.Mode().Perm()))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile))
	if err != nil {
		return "", fmt.Errorf("password file %s: %w", path, err)
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		data = data[:i]
	}
	if len(data) == 0 {
		return "", usageError{fmt.Errorf("password file %s: first line is empty", path)}
	}
	return string(data), nil
}
