package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

func TestFreePortRangeIsFree(t *testing.T) {
	first, err := testenv.FreePortRange(5)
	if err != nil {
		t.Fatal(err)
	}
	for p := first; p < first+5; p++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d of the range is taken: %v", p, err)
		}
		ln.Close()
	}
}

func TestPollStopsAtErrorAndDeadline(t *testing.T) {
	boom := errors.New("boom")
	if err := testenv.Poll(t.Context(), time.Millisecond, func() (bool, error) { return false, boom }); err != boom {
		t.Errorf("Poll returned %v, want the condition's error", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	n := 0
	err := testenv.Poll(ctx, 5*time.Millisecond, func() (bool, error) { n++; return false, nil })
	if !errors.Is(err, context.DeadlineExceeded) || n < 2 {
		t.Errorf("Poll = %v after %d calls, want the deadline after several", err, n)
	}
}

func ExamplePoll() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tries := 0
	err := testenv.Poll(ctx, time.Millisecond, func() (bool, error) { tries++; return tries == 3, nil })
	fmt.Println(err, tries)
	// Output: <nil> 3
}
