# Attachments and long texts (/publish, posts)
directive-full-text = 📎 <i>The full text is in the file right below.</i>
media-file-kept = 📎 Got the file <b>{$file}</b> ({$count} files). It will be posted with the directive.
media-file-as-body = This file will carry the full text; now type a few lines of summary as the post's text.
media-file-type = {$file} is not a file type that can be attached. Please send a PDF, DOCX or an image (accepted: {$allowed}).
media-body-pieces = Got {$count} part(s) of the text ({$length} characters). If there is more, send the next part; when all is sent, press <b>Done</b>.
media-button-done = ✔️ Done
