package sleeper_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/sleeper"
)

// Watch the operator event stream while the sleeper's task comes and goes.
func Example() {
	ctx := context.Background()
	op, err := operator.New(operator.Config{Master: "http://127.0.0.1:5050"})
	if err != nil {
		panic(err)
	}
	stream, err := op.Subscribe(ctx)
	if err != nil {
		panic(err)
	}
	done := sleeper.Start(ctx, session.Options{Name: "operator-api"})
	deadline := time.AfterFunc(time.Minute, func() { stream.Close() })
	defer deadline.Stop()
	for ev, err := range stream.Events() {
		if err != nil || sleeper.Killed(ev) {
			break
		}
		fmt.Println(ev.Type)
	}
	fmt.Println("sleeper:", <-done)
}
