// response_mode=form_post: send the authorization response to the client's callback as soon as the page loads.
document.getElementById('form-post').submit();
