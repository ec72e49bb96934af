// Reads a device label's QR code with the phone's camera: the browser's BarcodeDetector where it
// has one, jsQR (served by the app, cached for offline use) otherwise.
"use strict";

const FieldScan = (() => {
  let jsqrLoading = null;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!jsqrLoading) {
      jsqrLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "/vendor/jsqr/jsQR.js";
        script.onload = () => resolve(window.jsQR);
        script.onerror = () => reject(new Error("The QR reader could not be loaded"));
        document.head.appendChild(script);
      });
    }
    return jsqrLoading;
  }

  async function detector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const native = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (video) => {
            const codes = await native.detect(video);
            return codes.length ? codes[0].rawValue : null;
          };
        }
      } catch (err) {
        console.warn("BarcodeDetector unavailable, using jsQR", err);
      }
    }
    const jsQR = await loadJsQR();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      const scale = Math.min(1, 640 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return code ? code.data : null;
    };
  }

  /**
   * Shows the rear camera in `video` until a QR code is read; resolves with its text.
   * `stop()` on the returned handle ends the scan (and the camera) early.
   */
  function start(video) {
    let stream = null;
    let stopped = false;
    const stop = () => {
      stopped = true;
      if (stream) stream.getTracks().forEach((track) => track.stop());
    };
    const result = (async () => {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error("This browser cannot open the camera: type the label's code instead");
      }
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
      video.srcObject = stream;
      video.setAttribute("playsinline", "");
      await video.play();
      const read = await detector();
      while (!stopped) {
        const text = await read(video);
        if (text) {
          stop();
          return text;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      return null;
    })();
    result.catch(stop);
    return { result, stop };
  }

  return { start };
})();
