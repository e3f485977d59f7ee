// Renode-shaped API layer: Antmicro.Renode.Core.GPIO, a signal line that forwards its level to any number
// of receivers. Same members as Renode's GPIO.
using System.Collections.Generic;

namespace Antmicro.Renode.Core
{
    public sealed class GPIO : IGPIO
    {
        public GPIO()
        {
            endpoints = new List<GPIOEndpoint>();
        }

        public bool IsSet => state;

        public bool IsConnected => endpoints.Count > 0;

        public IList<GPIOEndpoint> Endpoints => endpoints;

        public void Set()
        {
            Set(true);
        }

        public void Unset()
        {
            Set(false);
        }

        public void Set(bool value)
        {
            if(state == value)
            {
                return;
            }
            state = value;
            foreach(var endpoint in endpoints)
            {
                endpoint.Receiver.OnGPIO(endpoint.Number, value);
            }
        }

        /// <summary>Sends a pulse (high then low) regardless of the current level.</summary>
        public void Blink()
        {
            Set(true);
            Set(false);
        }

        public void Toggle()
        {
            Set(!state);
        }

        public void Connect(IGPIOReceiver destination, int destinationNumber)
        {
            endpoints.Add(new GPIOEndpoint(destination, destinationNumber));
            if(state)
            {
                destination.OnGPIO(destinationNumber, true);
            }
        }

        public void Disconnect()
        {
            endpoints.Clear();
        }

        private readonly List<GPIOEndpoint> endpoints;
        private bool state;
    }
}
