#!/bin/sh
echo hello from the host
