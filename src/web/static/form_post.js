// The form_post answer to an authorization request (OAuth 2.0 Form Post Response Mode §2):
// posts the form to the client at once. Without script the user presses its button.
'use strict';
document.getElementById('form-post')?.submit();
