"""The floor of `egide bench pages`: the least a web server on this machine can do per request.

An asyncio responder that answers every HTTP/1.1 request on a keep-alive connection with the same
three bytes, parsing nothing. `egide bench pages` runs it pinned to the server's core and loads it
with the same `wrk` command as Egide, so each page's rate is printed as a ratio to it.
Usage: python3 floor.py PORT
"""
import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"


async def answer(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(answer, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1])))
