package client

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// ConnError reports a node that could not be reached or did not answer in
// time. Error names the node's URL and the reason in plain words.
type ConnError struct {
	URL string // the node's base URL
	// Timeout is the request timeout that expired (-1: a timeout of the
	// HTTP client), or 0 if the node could not be reached at all.
	Timeout time.Duration
	Err     error // the transport's error
}

// Error implements error.
func (e *ConnError) Error() string {
	switch {
	case e.Timeout > 0:
		return fmt.Sprintf("the node at %s did not answer within %s", e.URL, e.Timeout)
	case e.Timeout < 0:
		return fmt.Sprintf("the node at %s did not answer in time", e.URL)
	}
	return "cannot reach the node at " + e.URL + ": " + reason(e.Err)
}

// Unwrap returns the transport's error.
func (e *ConnError) Unwrap() error { return e.Err }

// reason extracts the cause a person understands ("connection refused",
// "no such host") from a transport error.
func reason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "no such host " + dns.Name
	}
	var sc *os.SyscallError
	if errors.As(err, &sc) {
		return sc.Err.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// StatusError is a non-2xx answer that is not a problem document.
type StatusError struct {
	Method     string
	URL        string
	StatusCode int
	Body       string // the start of the body
}

// Error implements error.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// ResponseError is a 2xx answer whose body is not what the API promises.
type ResponseError struct {
	Method string
	URL    string
	Err    error
}

// Error implements error.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s %s: invalid answer from the node: %v", e.Method, e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *ResponseError) Unwrap() error { return e.Err }
