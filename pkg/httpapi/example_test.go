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

	c, _ := httpapi.New(httpapi.Config{Master: master.URL})
	resp, err := c.R(context.Background()).SetBody([]byte(`{}`)).Post("/api/v1/scheduler")
	err = httpapi.Check("KILL", resp, err, http.StatusAccepted)
	var e *httpapi.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusForbidden {
		fmt.Println(e.Status, "-", e.Body)
	}
	// Output: 403 Forbidden - Framework is not subscribed
}
