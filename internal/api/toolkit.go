package api

import (
	"context"
	"fmt"

	"hostadm/internal/tasks"
)

// The handler toolkit: what endpoint handlers of every area share.

// startTask runs fn as a task of type typ on id for the caller and answers
// its UPID at once, as every endpoint doing long work does.
func startTask(ctx context.Context, r *Request, typ, id string, fn func(context.Context, *tasks.Log) error) (any, error) {
	upid, err := r.Svc.Tasks.Start(ctx, typ, id, r.Identity.AuthID(), fn)
	if err != nil {
		return nil, err
	}
	return upid.String(), nil
}

// need returns svc, or, when this deployment has no such service (a nil
// field of Services), the error the endpoint answers: a 500 with the
// message "NAME is not available on this node".
func need[S any](svc *S, name string) (*S, error) {
	if svc == nil {
		return nil, fmt.Errorf("%s is not available on this node", name)
	}
	return svc, nil
}

// with is a handler that hands fn the service pick chooses from Services,
// or answers need's error when the deployment has none.
func with[S any](name string, pick func(*Services) *S, fn func(context.Context, *Request, *S) (any, error)) Handler {
	return func(ctx context.Context, r *Request) (any, error) {
		svc, err := need(pick(r.Svc), name)
		if err != nil {
			return nil, err
		}
		return fn(ctx, r, svc)
	}
}
