package api

import (
	"errors"
	"net/http"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
	"hostadm/internal/schema"
)

// StatusError is an error with the HTTP status it is answered with. Its
// message's first line becomes the reason phrase, as in Proxmox.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Errorf-style constructors for the statuses handlers need.

// Forbidden is a 403.
func Forbidden(msg string) error { return &StatusError{Code: http.StatusForbidden, Msg: msg} }

// BadRequest is a 400 without per-parameter errors.
func BadRequest(msg string) error { return &StatusError{Code: http.StatusBadRequest, Msg: msg} }

// NotImplemented is a 501.
func NotImplemented(msg string) error { return &StatusError{Code: http.StatusNotImplemented, Msg: msg} }

// Unauthorized is a 401.
func Unauthorized(msg string) error { return &StatusError{Code: http.StatusUnauthorized, Msg: msg} }

// statusOf maps an error to its status: typed errors carry theirs, a few
// sentinels have fixed ones, everything else is a 500 (Proxmox's die).
func statusOf(err error) int {
	var se *StatusError
	var pe schema.ParamError
	switch {
	case errors.As(err, &se):
		return se.Code
	case errors.As(err, &pe):
		return http.StatusBadRequest
	case errors.Is(err, host.ErrDigestMismatch), errors.Is(err, cfs.ErrConflict):
		return http.StatusInternalServerError
	}
	return http.StatusInternalServerError
}

// messageOf is the text sent as `message`: Proxmox's messages end with a
// newline.
func messageOf(err error) string {
	var pe schema.ParamError
	if errors.As(err, &pe) {
		return "Parameter verification failed.\n"
	}
	if errors.Is(err, cfs.ErrConflict) {
		return host.ErrDigestMismatch.Error() + "\n"
	}
	msg := err.Error()
	if len(msg) == 0 || msg[len(msg)-1] != '\n' {
		msg += "\n"
	}
	return msg
}

func errNoRole(id string) error {
	return &StatusError{Code: 500, Msg: "role '" + id + "' does not exist"}
}
