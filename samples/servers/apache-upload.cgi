#!/bin/sh
# CGI behind Apache (apache-cgi.conf): reads the request body, says how long
# it was.
n=$(wc -c)
printf 'Content-Type: text/plain\r\n\r\nreceived %s bytes\n' "$n"
