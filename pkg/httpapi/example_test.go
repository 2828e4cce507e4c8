package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
)

// A non-2xx answer comes back as *httpapi.Error, with Mesos' message; a
// caller branches on StatusCode.
func ExampleError() {
	master := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Framework is not subscribed", http.StatusForbidden)
	}))
	defer master.Close()

	conn, _ := httpapi.NewConn(httpapi.Config{Master: master.URL})
	_, _, err := conn.Do(context.Background(), httpapi.Request{Call: "KILL", Method: "POST", Path: "/api/v1/scheduler", Body: []byte(`{}`)})
	var e *httpapi.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusForbidden {
		fmt.Println(e.Status, "-", e.Body)
	}
	// Output: 403 Forbidden - Framework is not subscribed
}
